import Foundation
import Testing
@testable import PipelineExchange

/// A cell is made safe in one pass over its UTF-8 when it needs nothing (issue 15): that
/// pass must never say "nothing" for a cell the rules change.
@Suite("CSV: a plain cell's fast path")
struct SpreadsheetSafetyFastPathTests {
    /// Every scalar of the ranges the rules look at, and their neighbours, first, inside and
    /// last; with a combining mark after it; Vietnamese text.
    static var samples: [String] {
        let ranges: [ClosedRange<UInt32>] = [0x00...0x2FF, 0x1EA0...0x1EFF, 0x2000...0x20FF, 0xFEFF...0xFEFF, 0x1F600...0x1F601]
        var samples = ["", "Acme", "Đồng Nai", "Công ty TNHH Việt Á", "=1+2", "+84 28 3823 4567", "-12.50", "-x", "@SUM(A1)", "'=x", "''=x",
                       "=\u{301}x", "\r\nx", "a\nb", "\n", "x\r", "0", "a,b", "\"q\""]
        for range in ranges {
            for value in range {
                guard let scalar = Unicode.Scalar(value) else { continue }
                let text = String(scalar)
                samples += [text, "a" + text + "b", text + "x", "x" + text, text + "\u{301}"]
            }
        }
        return samples
    }

    @Test func aCellIsWhatTheRulesMakeOfIt() {
        for sample in Self.samples {
            let byTheRules = SpreadsheetSafety.guarded(SpreadsheetSafety.inert(sample))
            #expect(SpreadsheetSafety.cell(sample) == byTheRules, "\(sample.unicodeScalars.map { String($0.value, radix: 16) })")
            if SpreadsheetSafety.isPlainCell(sample) {
                #expect(byTheRules == sample, "\(sample.unicodeScalars.map { String($0.value, radix: 16) })")
            }
        }
    }

    /// The fast path is taken for what most cells are.
    @Test func ordinaryTextIsPlain() {
        for sample in ["Acme", "Đồng Nai", "Công ty TNHH Việt Á", "12.50", "2026-12-31", "", "a\nb", "Lan"] {
            #expect(SpreadsheetSafety.isPlainCell(sample), "\(sample)")
        }
    }
}
