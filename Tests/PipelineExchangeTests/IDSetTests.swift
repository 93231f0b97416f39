import Testing
@testable import PipelineCore
@testable import PipelineExchange

/// The restore's set of record ids (a bit per id) answers as a `Set<Int64>` does, for any id.
@Suite("Backup: the set of record ids read")
struct IDSetTests {
    @Test func itAnswersAsASetDoes() {
        let edges: [Int64] = [0, 1, 63, 64, 65, 127, 128, IDSet.bitLimit - 1, IDSet.bitLimit, IDSet.bitLimit + 1,
                              -1, Int64.min, Int64.max, 1 << 40]
        var random = SeededGenerator(seed: 15)
        let drawn = (0..<20_000).map { _ -> Int64 in
            switch random.next(below: 4) {
            case 0: return Int64(random.next(below: 5_000))
            case 1: return Int64(random.next(below: 200_000))
            case 2: return Int64(bitPattern: random.next())
            default: return IDSet.bitLimit - 100 + Int64(random.next(below: 200))
            }
        }
        var ours = IDSet()
        var reference = Set<Int64>()
        for id in edges + drawn + edges {
            #expect(ours.contains(id) == reference.contains(id), "contains \(id)")
            #expect(ours.insert(id) == reference.insert(id).inserted, "insert \(id)")
            #expect(ours.contains(id))
        }
        for id in edges + drawn.map({ $0 &+ 1 }) + (0..<300).map(Int64.init) {
            #expect(ours.contains(id) == reference.contains(id), "contains \(id)")
        }
    }
}
