/// Word wrapping by display width, for requirements tooltips and multi-line fields.
public enum TextWrap {
    /// `text` broken into lines of at most `width` cells: at spaces where possible, inside
    /// a word only when the word alone is too long. Line feeds in `text` are kept.
    /// `keepingParenthesesWhole`: a parenthesised part ("(n 10, 24–39 %)") is one word that
    /// goes to the next line whole rather than breaking inside, when it fits on a line.
    public static func lines(_ text: String, width: Int, keepingParenthesesWhole: Bool = false) -> [String] {
        guard width > 0 else { return [] }
        var result: [String] = []
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = ""
            var lineWidth = 0
            let words = paragraph.split(separator: " ", omittingEmptySubsequences: true)
            for word in keepingParenthesesWhole ? grouped(words, width: width) : words {
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

    /// The words with each parenthesised run joined into one (by single spaces), when the run
    /// fits in `width`; a longer one stays as words, to wrap as usual.
    static func grouped(_ words: [Substring], width: Int) -> [Substring] {
        var result: [Substring] = []
        var index = 0
        while index < words.count {
            let word = words[index]
            if word.hasPrefix("("), !word.hasSuffix(")"),
               let close = words[(index + 1)...].firstIndex(where: { $0.hasSuffix(")") }) {
                let run = words[index...close].joined(separator: " ")
                if DisplayWidth.of(run) <= width {
                    result.append(Substring(run))
                    index = close + 1
                    continue
                }
            }
            result.append(word)
            index += 1
        }
        return result
    }
}
