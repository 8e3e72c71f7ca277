// libpq's header lives in include/postgresql on Debian; pkg-config adds that folder,
// and this fallback keeps the build working when pkg-config is missing.
#if __has_include(<libpq-fe.h>)
#include <libpq-fe.h>
#else
#include <postgresql/libpq-fe.h>
#endif
