// swift-tools-version:6.0
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "cadreflow",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "cadreflow", targets: ["cadreflow"]),
        .executable(name: "cadreflow-bench", targets: ["cadreflow-bench"]),
        .library(name: "CadreflowPostgres", targets: ["CadreflowPostgres"]),
        .library(name: "CadreflowTesting", targets: ["CadreflowTesting"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // libpq, the PostgreSQL client library, as a system library (apt: libpq-dev).
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        // Typed, parameterised access to PostgreSQL through libpq: connections, results,
        // transactions, COPY, pipelines, LISTEN/NOTIFY and a bounded pool.
        .target(
            name: "CadreflowPostgres",
            dependencies: [
                "CLibPQ",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strict
        ),
        // The numbered SQL migrations in sql/migrations, shipped inside the binary.
        .target(
            name: "CadreflowMigrations",
            path: "sql",
            exclude: ["README.md"],
            sources: ["MigrationFiles.swift"],
            resources: [.copy("migrations")],
            swiftSettings: strict
        ),
        // The workflow definitions in config/workflows and the schedules in config/schedules.json,
        // shipped inside the binary (the built-in defaults of engine.workflows_dir and
        // engine.schedules_file).
        .target(
            name: "CadreflowDefinitions",
            path: "config",
            exclude: ["cadreflow.toml"],
            sources: ["DefinitionFiles.swift"],
            resources: [.copy("workflows"), .copy("schedules.json"), .copy("rules")],
            swiftSettings: strict
        ),
        // The service's database: the embedded cluster and the migrator.
        .target(
            name: "CadreflowDatabase",
            dependencies: [
                "CadreflowPostgres",
                "CadreflowMigrations",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        // The workflow engine: definitions as data, a pure state machine, durable instances,
        // timers, schedules and group commit. Knows nothing of cadres.
        .target(
            name: "CadreflowEngine",
            dependencies: [
                "CadreflowPostgres",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        // The admin protocol as pure values: request parsing, replies, CSV. No I/O.
        .target(
            name: "CadreflowProtocol",
            swiftSettings: strict
        ),
        // The domain's rules: pure values and functions, Foundation only (CI checks it).
        .target(
            name: "CadreflowRules",
            swiftSettings: strict
        ),
        // The domain's I/O: stores, hooks, schedule actions and services, a folder per area.
        .target(
            name: "CadreflowDomain",
            dependencies: ["CadreflowRules", "CadreflowEngine", "CadreflowPostgres"],
            swiftSettings: strict
        ),
        // The protocol's domain commands: typed options, one domain call, a rendered reply.
        .target(
            name: "CadreflowCommands",
            dependencies: [
                "CadreflowServer", "CadreflowProtocol", "CadreflowDomain", "CadreflowRules", "CadreflowEngine", "CadreflowPostgres",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        // A seeded, reproducible demo city on Hanoi's real units (before and after 1 July 2025).
        .target(
            name: "CadreflowDemo",
            resources: [.copy("Resources")],
            swiftSettings: strict
        ),
        // The admin protocol server (SwiftNIO), generic: sessions, framing, accounts, audit,
        // idempotency, limits. The composition root mounts the command groups.
        .target(
            name: "CadreflowServer",
            dependencies: [
                "CadreflowProtocol",
                "CadreflowPostgres",
                "CadreflowRules",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        // What operators watch: the Prometheus exposition, /healthz and /readyz on an HTTP/1
        // listener of its own, and JSON log lines for log shippers.
        .target(
            name: "CadreflowObservability",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict
        ),
        // libedit (BSD editline) for the console's line editing (apt: libedit-dev).
        .systemLibrary(
            name: "CLibEdit",
            pkgConfig: "libedit",
            providers: [.apt(["libedit-dev"])]
        ),
        // The admin console: a protocol client, tables, uploads with progress, line editing.
        .target(
            name: "CadreflowConsole",
            dependencies: [
                "CadreflowProtocol",
                "CLibEdit",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strict
        ),
        // Configuration: config/cadreflow.toml, environment variables and flags.
        .target(
            name: "CadreflowConfig",
            swiftSettings: strict
        ),
        // Test support: one throwaway PostgreSQL cluster per test run, a database per suite.
        .target(
            name: "CadreflowTesting",
            dependencies: ["CadreflowDatabase", "CadreflowPostgres"],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "cadreflow",
            dependencies: [
                "CadreflowConfig",
                "CadreflowEngine",
                "CadreflowServer",
                "CadreflowCommands",
                "CadreflowDomain",
                "CadreflowRules",
                "CadreflowDemo",
                "CadreflowProtocol",
                "CadreflowConsole",
                "CadreflowDatabase",
                "CadreflowDefinitions",
                "CadreflowPostgres",
                "CadreflowObservability",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "cadreflow-bench",
            dependencies: [
                "CadreflowConsole",
                "CadreflowDatabase",
                "CadreflowDefinitions",
                "CadreflowEngine",
                "CadreflowServer",
                "CadreflowCommands",
                "CadreflowDomain",
                "CadreflowRules",
                .product(name: "Logging", package: "swift-log"),
                "CadreflowPostgres",
                "CadreflowTesting",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "CadreflowPostgresTests",
            dependencies: ["CadreflowPostgres", "CadreflowTesting"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "CadreflowDatabaseTests",
            dependencies: ["CadreflowDatabase", "CadreflowPostgres", "CadreflowTesting", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "CadreflowEngineTests",
            dependencies: ["CadreflowEngine", "CadreflowDefinitions", "CadreflowDatabase", "CadreflowPostgres", "CadreflowTesting"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "CadreflowProtocolTests",
            dependencies: ["CadreflowProtocol"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "CadreflowServerTests",
            dependencies: ["CadreflowServer", "CadreflowCommands", "CadreflowDomain", "CadreflowRules", "CadreflowProtocol", "CadreflowEngine", "CadreflowDatabase", "CadreflowPostgres", "CadreflowTesting", "CadreflowConsole", "CadreflowDefinitions",
                           .product(name: "NIOCore", package: "swift-nio"), .product(name: "Logging", package: "swift-log"),
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "CadreflowDomainTests",
            dependencies: ["CadreflowDomain", "CadreflowRules", "CadreflowEngine", "CadreflowDefinitions", "CadreflowDatabase", "CadreflowPostgres", "CadreflowTesting"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "CadreflowDemoTests",
            dependencies: ["CadreflowDemo"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "CadreflowRulesTests",
            dependencies: ["CadreflowRules"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "CadreflowConsoleTests",
            dependencies: ["CadreflowConsole"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "CadreflowObservabilityTests",
            dependencies: ["CadreflowObservability", "CadreflowTesting", .product(name: "Logging", package: "swift-log"), .product(name: "Prometheus", package: "swift-prometheus")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "CadreflowConfigTests",
            dependencies: ["CadreflowConfig"],
            swiftSettings: strict
        ),
    ],
    swiftLanguageModes: [.v6]
)
