extension Duration {
    /// Whole milliseconds (rounded down), for libpq's and PostgreSQL's millisecond settings.
    var wholeMilliseconds: Int64 {
        components.seconds * 1_000 + components.attoseconds / 1_000_000_000_000_000
    }
}
