import Foundation
import Testing
@testable import PipelineExchange

/// The file an export writes: unnamed while it is written (`O_TMPFILE`), so that a process
/// killed part way leaves nothing behind (`CLIProgressTests` kills a real export); a named
/// temporary file where the filesystem refuses unnamed ones. Both end whole or not at all.
@Suite("Output file: the temporary file")
struct OutputFileTests {
    let folder: String

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("pipeline-output-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    func entries() -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted() }

    func permissions(_ path: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? Int
    }

    /// A filesystem without unnamed files, as `open` reports it.
    static func refusing(_ code: Int32) -> (String) -> Int32 {
        { _ in errno = code; return -1 }
    }

    @Test func whileItIsWrittenTheFileHasNoNameAndTheOldOneStays() throws {
        let target = folder + "/deals.csv"
        try "before\n".write(toFile: target, atomically: false, encoding: .utf8)
        let file = try OutputFile(target, protecting: nil)
        file.writer.write(String(repeating: "a row of the export\n", count: 10_000))
        try file.writer.flush()
        // Bytes on the disk, and still nothing in the folder but the old file.
        #expect(entries() == ["deals.csv"])
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "before\n")
        try file.commit()
        #expect(entries() == ["deals.csv"])
        #expect(try String(contentsOfFile: target, encoding: .utf8).count == 200_000)
        #expect(permissions(target) == 0o600)
    }

    @Test func aDiscardedUnnamedFileLeavesTheFolderAsItWas() throws {
        let target = folder + "/backup.json"
        try "before\n".write(toFile: target, atomically: false, encoding: .utf8)
        let file = try OutputFile(target, protecting: nil)
        file.writer.write("{ half a backup")
        try file.writer.flush()
        file.discard()
        #expect(entries() == ["backup.json"])
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "before\n")
        // A new target that was never committed is never made either.
        let fresh = try OutputFile(folder + "/new.csv", protecting: nil)
        fresh.writer.write("rows")
        fresh.discard()
        #expect(entries() == ["backup.json"])
    }

    /// The fallback: a filesystem that refuses `O_TMPFILE` gets a named temporary file,
    /// with the same guarantees (private, renamed whole, removed on failure).
    @Test(arguments: [EOPNOTSUPP, EISDIR, EINVAL])
    func aFilesystemWithoutUnnamedFilesGetsANamedTemporaryFile(_ code: Int32) throws {
        let target = folder + "/deals.csv"
        try "before\n".write(toFile: target, atomically: false, encoding: .utf8)
        let file = try OutputFile(target, protecting: nil, openUnnamed: Self.refusing(code))
        file.writer.write("new rows\n")
        try file.writer.flush()
        let named = entries().filter { $0.hasPrefix(".deals.csv.pipeline-") }
        #expect(named.count == 1, "\(entries())")
        #expect(named.first.map { permissions(folder + "/" + $0) } == 0o600)
        try file.commit()
        #expect(entries() == ["deals.csv"])
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "new rows\n")
        #expect(permissions(target) == 0o600)

        let discarded = try OutputFile(target, protecting: nil, openUnnamed: Self.refusing(code))
        discarded.writer.write("never kept\n")
        #expect(entries().count == 2)
        discarded.discard()
        #expect(entries() == ["deals.csv"])
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "new rows\n")
    }

    /// Any other failure is the user's to know (a folder they may not write), not a reason
    /// to try another way.
    @Test func aFolderThatCannotBeWrittenIsSaidNotWorkedAround() throws {
        var tried = 0
        #expect(throws: FileError.self) {
            _ = try OutputFile(folder + "/deals.csv", protecting: nil, openUnnamed: { _ in tried += 1; errno = EACCES; return -1 })
        }
        #expect(tried == 1)
        #expect(entries().isEmpty)
    }
}
