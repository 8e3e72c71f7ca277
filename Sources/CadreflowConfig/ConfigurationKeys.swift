import Foundation

/// One configurable key: its name in the file, its type, default and allowed values, and the
/// property it sets.
struct ConfigurationKey {
    enum Kind {
        /// A string; `check` returns why a value is unacceptable, or nil.
        case string(WritableKeyPath<Configuration, String>, default: String, check: (String) -> String?)
        /// An integer within `range` (an upper bound of `Int.max` means unbounded).
        case integer(WritableKeyPath<Configuration, Int>, default: Int, range: ClosedRange<Int>)
    }

    /// `section.key`, as written in the file.
    let name: String
    let kind: Kind

    /// Every key the file may set, in file order.
    static var all: [ConfigurationKey] {
        [
            .string("server.listen", \.server.listen, default: "127.0.0.1:7420", check: ListenAddress.problem(with:)),
            .string("server.unix_socket", \.server.unixSocket, default: "", check: unixSocketProblem),
            .string("server.time_zone", \.server.timeZoneIdentifier, default: "Asia/Ho_Chi_Minh", check: timeZoneProblem),
            .string("server.tls_certificate", \.server.tlsCertificate, default: ""),
            .string("server.tls_private_key", \.server.tlsPrivateKey, default: ""),
            .integer("server.shutdown_timeout_ms", \.server.shutdownTimeoutMs, default: 10_000, 100...600_000),
            .string("database.url", \.database.url, default: ""),
            .string("database.data_dir", \.database.dataDir, default: "./var", check: nonEmptyProblem),
            .integer("database.pool_size", \.database.poolSize, default: 8, 1...256),
            .integer("database.checkout_timeout_ms", \.database.checkoutTimeoutMs, default: 5_000, 1...600_000),
            .integer("database.health_check_idle_ms", \.database.healthCheckIdleMs, default: 1_000, 0...3_600_000),
            .integer("database.embedded_port", \.database.embeddedPort, default: 5_432, 1_024...65_535),
            .integer("database.read_connections", \.database.readConnections, default: 2, 0...64),
            .string("database.event_loop_reads", \.database.eventLoopReads, default: "yes", check: yesNoProblem),
            .integer("protocol.max_line_bytes", \.protocolLimits.maxLineBytes, default: 16_384, 256...16_777_216),
            .integer("protocol.max_arguments", \.protocolLimits.maxArguments, default: 256, 1...65_536),
            .integer("protocol.max_upload_bytes", \.protocolLimits.maxUploadBytes, default: 268_435_456, 1_024...Int.max),
            .integer("protocol.idle_timeout_seconds", \.protocolLimits.idleTimeoutSeconds, default: 900, 0...86_400),
            .integer("protocol.max_connections", \.protocolLimits.maxConnections, default: 1_024, 1...100_000),
            .integer("protocol.max_connections_per_account", \.protocolLimits.maxConnectionsPerAccount, default: 64, 1...100_000),
            .integer("protocol.listen_backlog", \.protocolLimits.listenBacklog, default: 0, 0...65_535),
            .integer("security.lockout_failures", \.security.lockoutFailures, default: 5, 1...100),
            .integer("security.lockout_seconds", \.security.lockoutSeconds, default: 900, 1...86_400),
            .string("metrics.listen", \.metrics.listen, default: "", check: { $0.isEmpty ? nil : ListenAddress.problem(with: $0) }),
            .string("log.format", \.log.format, default: "text", check: { $0 == "text" || $0 == "json" ? nil : "text or json" }),
            .string("engine.workflows_dir", \.engine.workflowsDir, default: ""),
            .string("engine.schedules_file", \.engine.schedulesFile, default: ""),
            .string("engine.rules_dir", \.engine.rulesDir, default: ""),
            .integer("engine.writers", \.engine.writers, default: 1, 1...64),
            .integer("engine.max_batch", \.engine.maxBatch, default: 512, 1...10_000),
            .integer("engine.tick_ms", \.engine.tickMs, default: 1_000, 10...600_000),
            .integer("engine.bulk_workers", \.engine.bulkWorkers, default: 2, 1...16),
            .integer("retirement.base_year", \.retirement.baseYear, default: 2021, 1945...9999),
            .integer("retirement.male_before_months", \.retirement.maleBeforeMonths, default: 720, 480...960),
            .integer("retirement.male_start_months", \.retirement.maleStartMonths, default: 723, 480...960),
            .integer("retirement.male_step_months", \.retirement.maleStepMonths, default: 3, 0...12),
            .integer("retirement.male_cap_months", \.retirement.maleCapMonths, default: 744, 480...960),
            .integer("retirement.female_before_months", \.retirement.femaleBeforeMonths, default: 660, 480...960),
            .integer("retirement.female_start_months", \.retirement.femaleStartMonths, default: 664, 480...960),
            .integer("retirement.female_step_months", \.retirement.femaleStepMonths, default: 4, 0...12),
            .integer("retirement.female_cap_months", \.retirement.femaleCapMonths, default: 720, 480...960),
            .integer("exam.min_candidates", \.exam.minCandidates, default: 2, 1...1_000),
            .integer("exam.written_weight_percent", \.exam.writtenWeightPercent, default: 50, 0...100),
            .integer("exam.pass_mark", \.exam.passMark, default: 50, 0...100),
            .string("exam.planning_required", \.exam.planningRequired, default: "yes", check: yesNoProblem),
            .integer("exam.discipline_years", \.exam.disciplineYears, default: 2, 0...20),
            .integer("exam.months_before_retirement", \.exam.monthsBeforeRetirement, default: 60, 0...600),
            .integer("assignment.rotation_minimum_months", \.assignment.rotationMinimumMonths, default: 36, 1...600),
            .integer("assignment.rotation_months_before_retirement", \.assignment.rotationMonthsBeforeRetirement, default: 120, 0...600),
            .integer("assignment.secondment_maximum_months", \.assignment.secondmentMaximumMonths, default: 36, 1...600),
            .integer("assignment.nursing_child_months", \.assignment.nursingChildMonths, default: 36, 0...120),
        ]
    }

    /// The key called `name`, if there is one.
    static func named(_ name: String) -> ConfigurationKey? {
        all.first { $0.name == name }
    }

    /// The `[section]` names that hold keys.
    static var sections: Set<String> {
        Set(all.map(\.section))
    }

    /// The part of ``name`` before the dot.
    var section: String {
        String(name.prefix { $0 != "." })
    }

    /// The built-in default.
    var defaultValue: TOMLValue {
        switch kind {
        case .string(_, let value, _): return .string(value)
        case .integer(_, let value, _): return .integer(value)
        }
    }

    /// The key's current value in `configuration`.
    func value(in configuration: Configuration) -> TOMLValue {
        switch kind {
        case .string(let path, _, _): return .string(configuration[keyPath: path])
        case .integer(let path, _, _): return .integer(configuration[keyPath: path])
        }
    }

    /// Checks `value` and sets this key in `configuration`; errors name `origin`.
    func apply(_ value: TOMLValue, to configuration: inout Configuration, origin: ValueOrigin) throws(ConfigurationError) {
        switch (kind, value) {
        case (.string(let path, _, let check), .string(let text)):
            if let problem = check(text) { throw origin.error(value, problem) }
            configuration[keyPath: path] = text
        case (.integer(let path, _, let range), .integer(let number)):
            guard range.contains(number) else {
                let allowed = range.upperBound == Int.max
                    ? "must be at least \(range.lowerBound)"
                    : "must be between \(range.lowerBound) and \(range.upperBound)"
                throw origin.error(value, allowed)
            }
            configuration[keyPath: path] = number
        case (.string, _):
            throw origin.error(value, "expected a string in double quotes, not \(value.typeName)")
        case (.integer, _):
            throw origin.error(value, "expected an integer, not \(value.typeName)")
        }
    }

    private static func string(
        _ name: String, _ path: WritableKeyPath<Configuration, String>, default value: String,
        check: @escaping (String) -> String? = { _ in nil }
    ) -> ConfigurationKey {
        ConfigurationKey(name: name, kind: .string(path, default: value, check: check))
    }

    private static func integer(
        _ name: String, _ path: WritableKeyPath<Configuration, Int>, default value: Int, _ range: ClosedRange<Int>
    ) -> ConfigurationKey {
        ConfigurationKey(name: name, kind: .integer(path, default: value, range: range))
    }

    private static func unixSocketProblem(_ path: String) -> String? {
        // sun_path holds 108 bytes on Linux (104 on the BSDs), its terminating NUL included.
        path.utf8.count > 103 ? "a unix socket path is at most 103 bytes (this one has \(path.utf8.count)); choose a shorter one" : nil
    }

    private static func timeZoneProblem(_ identifier: String) -> String? {
        TimeZone(identifier: identifier) == nil ? "unknown time zone (expected an IANA name such as Asia/Ho_Chi_Minh)" : nil
    }

    private static func yesNoProblem(_ text: String) -> String? {
        text == "yes" || text == "no" ? nil : "yes or no"
    }

    private static func nonEmptyProblem(_ text: String) -> String? {
        text.isEmpty ? "must not be empty" : nil
    }
}

/// Where a value came from, so that an error can name it the way the user wrote it.
enum ValueOrigin {
    /// `key = value` on a line of a config file.
    case file(path: String, line: Int, key: String)
    /// An environment variable, e.g. `CADREFLOW_LISTEN`.
    case environment(String)
    /// A command-line flag, e.g. `--listen`.
    case flag(String)

    /// `config/cadreflow.toml line 9: database.pool_size = 0: must be between 1 and 256`,
    /// `CADREFLOW_LISTEN=abc: expected host:port ...` or `--listen abc: expected host:port ...`.
    func error(_ value: TOMLValue, _ problem: String) -> ConfigurationError {
        let raw: String
        if case .string(let text) = value { raw = text } else { raw = value.description }
        switch self {
        case .file(let path, let line, let key):
            return ConfigurationError("\(path) line \(line): \(key) = \(value): \(problem)")
        case .environment(let name):
            return ConfigurationError("\(name)=\(raw): \(problem)")
        case .flag(let flag):
            return ConfigurationError("\(flag) \(raw): \(problem)")
        }
    }
}
