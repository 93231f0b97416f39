// swift-tools-version: 6.1
//
// `pipeline`: a sales-pipeline CRM in the terminal.
//
// Dependencies point one way (see Docs/architecture.md):
//   pipeline (executable) → PipelineEngines → PipelineStore (SQLite), PostgresStore → PipelineStorage → PipelineCore
//                         → TerminalCore
//   CNcurses wraps the system's ncursesw; only the terminal backend imports it.
//   CLibpq declares the system's libpq; CLibpqLoader loads it on first use; only PostgresClient
//   imports them.
import PackageDescription

let package = Package(
    name: "pipeline",
    products: [
        .executable(name: "pipeline", targets: ["pipeline"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/yaslab/CSV.swift", exact: "2.5.2"),
    ],
    targets: [
        // The C boundary: ncursesw with a shim for what Swift cannot import.
        .systemLibrary(
            name: "CNcurses",
            pkgConfig: "ncursesw",
            providers: [.apt(["libncurses-dev"])]
        ),
        // The C boundary to PostgreSQL: libpq's declarations (Debian: libpq-dev), not linked.
        .systemLibrary(name: "CLibpq"),
        // libpq's functions, loaded with dlopen when a PostgreSQL connection is first used, so
        // that a run on a SQLite file does not map libpq and its TLS and Kerberos libraries.
        .target(name: "CLibpqLoader", linkerSettings: [.linkedLibrary("dl")]),
        // A thin, synchronous Swift client over libpq: connections as psql reads them,
        // parameterised statements, transactions, COPY, LISTEN/NOTIFY, typed errors.
        .target(name: "PostgresClient", dependencies: ["CLibpq", "CLibpqLoader"]),
        // PostgreSQL as a pipeline store: the engine behind the storage boundary, the frozen
        // schema migrating under an advisory lock, change notifications, sentences for the
        // server's refusals.
        .target(name: "PostgresStore", dependencies: ["PipelineCore", "PipelineStorage", "PostgresClient"]),
        // What the client pays for: teams, stages, opportunities, the probability rule,
        // ordering, suggestions, forecasting, money and validation. No I/O, no clock.
        .target(name: "PipelineCore"),
        // Terminal vocabulary shared by the CLI tables and the board: display width.
        .target(name: "TerminalCore"),
        // The board: a pure state machine and a renderer into a grid of cells.
        .target(name: "BoardUI", dependencies: ["PipelineCore", "PipelineStorage", "TerminalCore"]),
        // The only module that touches ncurses: draws grids, reads keys, restores the terminal.
        .target(name: "NcursesTerminal", dependencies: ["TerminalCore", "CNcurses"]),
        // The storage boundary: the roles callers use, the primitives an engine provides,
        // and the operations every engine shares. Engine-neutral: no database library.
        .target(name: "PipelineStorage", dependencies: ["PipelineCore"]),
        // The embedded engine: SQLite through GRDB, the only module that imports GRDB.
        .target(
            name: "PipelineStore",
            dependencies: [
                "PipelineCore",
                "PipelineStorage",
                .product(name: "GRDB", package: "GRDB.swift"),
                // SQLite's C API, which GRDB itself is built on: the export's row loops read
                // columns straight from the statement (`StatementColumns`), and an import binds
                // its values without GRDB's arguments (`BoundStatement`).
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]
        ),
        // Opens a store from what the user gave (`--db`): the only module that knows the engines.
        .target(name: "PipelineEngines", dependencies: ["PipelineCore", "PipelineStorage", "PipelineStore", "PostgresStore"]),
        // Files in and out: CSV in the reference CRM's (Odoo's) columns, and the JSON backup.
        .target(
            name: "PipelineExchange",
            dependencies: ["PipelineCore", "PipelineStorage"]
        ),
        // The composition root: argument parsing and wiring, no rules.
        .executableTarget(
            name: "pipeline",
            dependencies: [
                "PipelineCore",
                "PipelineStorage",
                "PipelineEngines",
                "TerminalCore",
                "BoardUI",
                "NcursesTerminal",
                "PipelineExchange",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "PipelineCoreTests", dependencies: ["PipelineCore"]),
        .testTarget(name: "TerminalCoreTests", dependencies: ["TerminalCore"]),
        .testTarget(name: "PipelineStoreTests", dependencies: ["PipelineStore", "PipelineStorage", "PipelineCore"]),
        // What "an engine works" means: every store behaviour, run on every engine unchanged.
        // PipelineStore and GRDB only to damage a file as another program would (a check test).
        .testTarget(name: "StoreContractTests", dependencies: ["PipelineEngines", "PipelineStorage", "PipelineCore", "PostgresClient",
                                                      "PipelineExchange", "PipelineStore",
                                                      .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "CNcursesTests", dependencies: ["CNcurses"]),
        // Against the real server `make test` starts (Scripts/test-postgres.sh).
        .testTarget(name: "PostgresTests", dependencies: ["PostgresClient", "PostgresStore", "PipelineCore", "PipelineStorage", "PipelineEngines"]),
        .testTarget(
            name: "BoardUITests",
            dependencies: ["BoardUI", "PipelineCore", "TerminalCore", "PipelineStorage", "PipelineEngines"],
            exclude: ["Snapshots"]
        ),
        .testTarget(name: "NcursesTerminalTests", dependencies: ["NcursesTerminal", "TerminalCore"]),
        .testTarget(name: "PipelineExchangeTests", dependencies: ["PipelineExchange", "PipelineStorage", "PipelineEngines", "PipelineCore", "PostgresClient",
                                                          // The CSV package's writer and reader, which our own replaced: the tests compare them.
                                                          .product(name: "CSV", package: "CSV.swift")]),
        // Runs the built `pipeline` binary; depending on it makes SwiftPM build it first.
        .testTarget(
            name: "PipelineCLITests",
            dependencies: ["pipeline", "PipelineCore", "PipelineStorage", "PipelineEngines", "PostgresClient",
                           .product(name: "GRDB", package: "GRDB.swift")],
            // The digest's goldens are read by path (#filePath), not bundled.
            exclude: ["Goldens"]
        ),
    ]
)
