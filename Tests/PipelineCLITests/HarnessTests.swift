import Foundation
import Testing

/// The harness itself: a test that hangs or reads half an output proves nothing.
@Suite("Test harness")
struct HarnessTests {
    /// A child that fills standard error before writing anything to standard output: a
    /// harness reading stdout to its end first would wait for ever, the child blocked on
    /// its full stderr pipe.
    @Test func bothPipesAreReadTogether() {
        let child = ChildProcess(executable: "/bin/sh", arguments: ["-c", "head -c 300000 /dev/zero >&2; echo out"],
                                 environment: ["PATH": "/usr/bin:/bin"])
        let outcome = child.run(timeout: 60)
        #expect(!outcome.timedOut)
        #expect(outcome.stderr.count == 300_000)
        #expect(outcome.stdout == Array("out\n".utf8))
        #expect(outcome.status == 0)
    }

    @Test func standardInputIsFedWhileTheOutputIsRead() {
        let input = Data(repeating: UInt8(ascii: "x"), count: 500_000)
        let outcome = ChildProcess(executable: "/bin/cat", arguments: [], environment: [:]).run(input: .bytes(input), timeout: 60)
        #expect(!outcome.timedOut)
        #expect(outcome.stdout.count == 500_000)
    }
}
