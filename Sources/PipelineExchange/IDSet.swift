/// The ids a restore has read — records, to refuse a repeated one and a history line, activity
/// or note of a record the backup does not hold; history lines, to refuse a repeated id with
/// its line (issue 15). A `Set<Int64>` took about 16 bytes an id — 16 MB at 1,000,000 records,
/// a quarter of the restore's 64 MB bound, and growing with the file. Ids are the database's
/// row ids, 1, 2, 3…: one bit each (125 KB a million), in words grown as the largest id grows;
/// an id beyond `bitLimit` (or below 0), which no database of ours hands out in practice but a
/// hand-edited file may hold, goes to a set of its own.
struct IDSet {
    /// Ids below it take a bit: 2²⁶, at most 8 MB of words.
    static let bitLimit: Int64 = 1 << 26

    private var words: [UInt64] = []
    private var others = Set<Int64>()

    /// Adds `id`; false when it was there already.
    mutating func insert(_ id: Int64) -> Bool {
        guard id >= 0, id < Self.bitLimit else { return others.insert(id).inserted }
        let word = Int(id >> 6), bit = UInt64(1) << UInt64(id & 63)
        if word >= words.count {
            // Doubling, as an array grows (ids read in order cost amortised constant time), but
            // never past the words `bitLimit` needs.
            let count = min(Int(Self.bitLimit >> 6), max(word + 1, words.count * 2))
            words.append(contentsOf: repeatElement(0, count: count - words.count))
        }
        if words[word] & bit != 0 { return false }
        words[word] |= bit
        return true
    }

    func contains(_ id: Int64) -> Bool {
        guard id >= 0, id < Self.bitLimit else { return others.contains(id) }
        let word = Int(id >> 6)
        return word < words.count && words[word] & (UInt64(1) << UInt64(id & 63)) != 0
    }
}
