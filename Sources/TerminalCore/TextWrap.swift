/// Word wrapping by display width, for requirements tooltips and multi-line fields.
public enum TextWrap {
    /// `text` broken into lines of at most `width` cells: at spaces where possible, inside
    /// a word only when the word alone is too long. Line feeds in `text` are kept.
    public static func lines(_ text: String, width: Int) -> [String] {
        guard width > 0 else { return [] }
        var result: [String] = []
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = ""
            var lineWidth = 0
            for word in paragraph.split(separator: " ", omittingEmptySubsequences: true) {
                var word = Substring(word)
                var wordWidth = DisplayWidth.of(word)
                if lineWidth > 0 && lineWidth + 1 + wordWidth <= width {
                    line += " " + word
                    lineWidth += 1 + wordWidth
                    continue
                }
                if lineWidth > 0 {
                    result.append(line)
                    line = ""
                    lineWidth = 0
                }
                while wordWidth > width {
                    var piece = ""
                    var pieceWidth = 0
                    var index = word.startIndex
                    while index < word.endIndex {
                        let cells = DisplayWidth.of(word[index])
                        if pieceWidth + cells > width { break }
                        piece.append(word[index])
                        pieceWidth += cells
                        index = word.index(after: index)
                    }
                    if piece.isEmpty { break }  // a character wider than the line
                    result.append(piece)
                    word = word[index...]
                    wordWidth = DisplayWidth.of(word)
                }
                line = String(word)
                lineWidth = wordWidth
            }
            result.append(line)
        }
        return result
    }
}
