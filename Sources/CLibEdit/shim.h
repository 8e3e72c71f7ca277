// libedit's readline-compatible interface (apt: libedit-dev): line editing, history and
// completion for the console.
#include <stdio.h>
#include <editline/readline.h>

// Sets the completion hook (a global of libedit's) from Swift without touching the
// global directly, which strict concurrency checking forbids.
static inline void cadreflow_set_completion(rl_completion_func_t *function) {
    rl_attempted_completion_function = function;
}
