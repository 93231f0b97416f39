import Foundation
import Testing

/// A command that only reads, pointed at a database file that does not exist (issue 15's
/// trial: `--db /some/new/dir/x.sqlite` on `stage list` made the folders and a database).
@Suite("CLI: reading a database that is not there")
struct CLINoDatabaseTests {
    @Test func aCommandThatOnlyReadsSaysThereIsNoDatabaseAndCreatesNothing() throws {
        let cli = CLI()
        let missing = cli.path("new/dir/x.sqlite")
        for command in [["stage", "list"], ["opp", "list"], ["forecast"], ["team", "list"], ["settings", "list"],
                        ["stats", "stages"], ["export"], ["digest"]] {
            let result = cli.run(command + ["--db", missing], database: false)
            #expect(result.status == 66, "\(command): \(result.stderr)")
            #expect(result.stderr == "error: there is no database at \(missing), and a command that only reads creates none; check the path, "
                    + "or start one there by adding something (opp add, import) or opening the board\n", "\(command)")
            #expect(result.stdout.isEmpty)
            #expect(!FileManager.default.fileExists(atPath: cli.path("new")), "\(command)")
        }
        // Named by the environment, in Vietnamese.
        let vietnamese = cli.run(["stage", "list", "--lang", "vi"], database: false, environment: ["PIPELINE_DB": missing])
        #expect(vietnamese.status == 66 && vietnamese.stderr.contains("không có cơ sở dữ liệu nào ở \(missing)"), "\(vietnamese.stderr)")
        #expect(!FileManager.default.fileExists(atPath: cli.path("new")))
        // A folder that exists gets no file either.
        let beside = cli.path("x.sqlite")
        #expect(cli.run(["opp", "list", "--db", beside], database: false).status == 66)
        #expect(!FileManager.default.fileExists(atPath: beside))
        // `check` never made one: it says there is no such file, as before.
        let check = cli.run(["check", "--db", missing], database: false)
        #expect(check.status == 66 && check.stderr.contains("there is no such file"), "\(check.stderr)")
    }

    /// A command that writes still makes the file (and its folder) it names; the default
    /// database is made by whatever command comes first, so that a new user's first
    /// `pipeline stage list` shows the stages they start with.
    @Test func aCommandThatWritesAndTheDefaultDatabaseStillStartOne() throws {
        let cli = CLI()
        let named = cli.path("x.sqlite")
        #expect(cli.run(["opp", "add", "Acme", "--db", named], database: false).status == 0)
        #expect(cli.run(["opp", "list", "--db", named], database: false).stdout.contains("Acme"))
        let home = cli.path("home")
        let first = cli.run(["stage", "list"], database: false, environment: ["HOME": home])
        #expect(first.status == 0 && first.stdout.contains("Proposition"), "\(first.stderr)")
        #expect(FileManager.default.fileExists(atPath: home + "/.local/share/pipeline/pipeline.sqlite"))
    }

    /// An import refused, or a dry run, into a file that did not exist leaves no file: before,
    /// a new-user trial found a database seeded in the failed run's language left behind, which
    /// the next attempt then failed against; and `--dry-run` said "nothing was changed" beside
    /// a new file. A file that existed is kept as it was.
    @Test func aRefusedImportOrADryRunIntoANewFileLeavesNone() throws {
        let cli = CLI()
        let csv = cli.path("deals.csv")
        FileManager.default.createFile(atPath: csv, contents: Data("name,team\nAcme,Nowhere\n".utf8))
        let fresh = cli.path("fresh.sqlite")
        let refused = cli.run(["import", csv, "--db", fresh, "--lang", "vi"], database: false)
        #expect(refused.status == 65, "\(refused.stderr)")
        let backup = cli.path("broken.json")
        FileManager.default.createFile(atPath: backup, contents: Data("{\n\"format\": \"pipeline-backup\",\n".utf8))
        #expect(cli.run(["import", backup, "--db", fresh], database: false).status == 65)
        let good = cli.path("good.csv")
        FileManager.default.createFile(atPath: good, contents: Data("name\nAcme\n".utf8))
        let dry = cli.run(["import", good, "--dry-run", "--db", fresh], database: false)
        #expect(dry.status == 0 && dry.stdout.contains("nothing was changed"), "\(dry.stdout)\(dry.stderr)")
        for suffix in ["", "-wal", "-shm", "-journal"] {
            #expect(!FileManager.default.fileExists(atPath: fresh + suffix), "\(suffix)")
        }
        // Into a file that was there, a refused import keeps the file and everything in it.
        #expect(cli.run(["import", good, "--db", fresh], database: false).status == 0)
        #expect(cli.run(["import", csv, "--db", fresh], database: false).status == 65)
        #expect(cli.run(["import", good, "--dry-run", "--db", fresh], database: false).status == 0)
        #expect(cli.run(["opp", "list", "--db", fresh], database: false).stdout.contains("Acme"))
    }
}
