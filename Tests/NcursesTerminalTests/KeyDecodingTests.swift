import CNcurses
import Testing
@testable import NcursesTerminal
import TerminalCore

@Suite("Key decoding")
struct KeyDecodingTests {
    @Test(arguments: [
        (KEY_CODE_YES, UInt32(KEY_UP), nil as String?, Key.up),
        (KEY_CODE_YES, UInt32(KEY_DOWN), nil, .down),
        (KEY_CODE_YES, UInt32(KEY_LEFT), nil, .left),
        (KEY_CODE_YES, UInt32(KEY_RIGHT), nil, .right),
        (KEY_CODE_YES, UInt32(KEY_SLEFT), nil, .shiftLeft),
        (KEY_CODE_YES, UInt32(KEY_SRIGHT), nil, .shiftRight),
        (KEY_CODE_YES, UInt32(KEY_SR), nil, .shiftUp),
        (KEY_CODE_YES, UInt32(KEY_SF), nil, .shiftDown),
        (KEY_CODE_YES, 600, "kUP", .shiftUp),
        (KEY_CODE_YES, 601, "kDN", .shiftDown),
        (KEY_CODE_YES, UInt32(KEY_HOME), nil, .home),
        (KEY_CODE_YES, UInt32(KEY_END), nil, .end),
        (KEY_CODE_YES, UInt32(KEY_PPAGE), nil, .pageUp),
        (KEY_CODE_YES, UInt32(KEY_NPAGE), nil, .pageDown),
        (KEY_CODE_YES, UInt32(KEY_BACKSPACE), nil, .backspace),
        (KEY_CODE_YES, UInt32(KEY_DC), nil, .delete),
        (KEY_CODE_YES, UInt32(KEY_BTAB), nil, .backTab),
        (KEY_CODE_YES, UInt32(KEY_ENTER), nil, .enter),
        (KEY_CODE_YES, UInt32(KEY_F0 + 5), nil, .function(5)),
        (OK, 0x0D, nil, .enter),
        (OK, 0x0A, nil, .enter),
        (OK, 0x1B, nil, .escape),
        (OK, 0x09, nil, .tab),
        (OK, 0x7F, nil, .backspace),
        (OK, 0x08, nil, .backspace),
        (OK, 0x03, nil, .control("c")),
        (OK, 0x13, nil, .control("s")),
        (OK, 0x12, nil, .control("r")),
        (OK, 0x15, nil, .control("u")),
        (OK, 0x20, nil, .character(" ")),
        (OK, 0x1EDB, nil, .character("ớ")),
        (OK, 0x5546, nil, .character("商")),
    ])
    func decodes(_ status: Int32, _ code: UInt32, _ name: String?, _ key: Key) {
        #expect(KeyDecoding.key(status: status, code: code, name: name) == key)
    }

    @Test func ignoresWhatIsNotAKey() {
        #expect(KeyDecoding.key(status: OK, code: 0x9B) == nil)  // C1 CSI
        #expect(KeyDecoding.key(status: OK, code: 0x00) == nil)
        #expect(KeyDecoding.key(status: KEY_CODE_YES, code: 777, name: "kXYZ") == nil)
        #expect(KeyDecoding.key(status: ERR, code: 65) == nil)
    }

    @Test func thePasteMarkersAreNoKeys() {
        let start = UInt32(KeyDecoding.pasteStartCode), end = UInt32(KeyDecoding.pasteEndCode)
        #expect(KeyDecoding.pasteMarker(status: KEY_CODE_YES, code: start) == .start)
        #expect(KeyDecoding.pasteMarker(status: KEY_CODE_YES, code: end) == .end)
        #expect(KeyDecoding.pasteMarker(status: OK, code: start) == nil)  // a character, not the marker
        #expect(KeyDecoding.pasteMarker(status: KEY_CODE_YES, code: UInt32(KEY_UP)) == nil)
        #expect(KeyDecoding.key(status: KEY_CODE_YES, code: start) == nil)
        #expect(KeyDecoding.key(status: KEY_CODE_YES, code: end) == nil)
        // ncurses keeps key codes in 16 bits: the private codes must fit, above its own.
        #expect(KeyDecoding.pasteStartCode > KEY_MAX && KeyDecoding.pasteEndCode <= 0xFFFF)
    }

    @Test func aPasteIsCollectedAsTextUpToItsEndMarker() {
        var collector = PasteCollector()
        let input: [(Int32, UInt32)] = [(OK, 0x41), (OK, 0x1B), (OK, 0x52), (KEY_CODE_YES, UInt32(KEY_UP)),
                                        (OK, 0x0D), (OK, 0x1EDB)]
        for (status, code) in input {
            let goesOn = collector.take(status: status, code: code)
            #expect(goesOn)
        }
        let afterTheEnd = collector.take(status: KEY_CODE_YES, code: UInt32(KeyDecoding.pasteEndCode))
        #expect(!afterTheEnd)
        // Characters as they came (the board decides what a field keeps); the decoded ↑ is gone.
        #expect(collector.text == "A\u{1B}R\rớ")
        var small = PasteCollector(limit: 2)
        for code in [0x61, 0x62, 0x63] as [UInt32] { _ = small.take(status: OK, code: code) }
        #expect(small.text == "ab")
    }

    @Test func decodesTheMouse() {
        #expect(MouseDecoding.event(x: 3, y: 4, buttons: CN_BUTTON1_PRESSED) == .press(Point(x: 3, y: 4)))
        #expect(MouseDecoding.event(x: 3, y: 4, buttons: CN_BUTTON1_RELEASED) == .release(Point(x: 3, y: 4)))
        #expect(MouseDecoding.event(x: 1, y: 2, buttons: CN_BUTTON4_PRESSED) == .wheelUp(Point(x: 1, y: 2)))
        #expect(MouseDecoding.event(x: 1, y: 2, buttons: CN_BUTTON5_PRESSED) == .wheelDown(Point(x: 1, y: 2)))
        #expect(MouseDecoding.event(x: 9, y: 9, buttons: CN_REPORT_MOUSE_POSITION) == .move(Point(x: 9, y: 9)))
    }
}

/// What follows an Esc that ncurses did not know: a control sequence is one unknown key
/// (Ctrl+Shift+↑ under a TERM without it closed a page unsaved and its `1` switched views).
@Suite("Unknown escape sequences")
struct UnknownEscapeSequenceTests {
    static func consumed(_ text: String) -> Int {
        var sequence = UnknownEscapeSequence()
        for scalar in text.unicodeScalars where !sequence.take(scalar.value) { return sequence.length }
        return sequence.length
    }

    @Test func aControlSequenceIsTakenUpToItsFinalByte() {
        #expect(Self.consumed("[1;6A1") == 5, "Ctrl+Shift+↑, then a 1 typed after it")
        #expect(Self.consumed("[4~q") == 3, "End under a wrong TERM")
        #expect(Self.consumed("OFq") == 2, "SS3 End")
        #expect(Self.consumed("[" + String(repeating: "1", count: 40)) == UnknownEscapeSequence.longest)
    }

    @Test func escFollowedByAnythingElseIsNoSequence() {
        for first in ["q", "w", "1", "é", "\u{1B}"] {
            #expect(!UnknownEscapeSequence.starts(with: first.unicodeScalars.first!.value), "\(first)")
        }
        #expect(UnknownEscapeSequence.starts(with: 0x5B) && UnknownEscapeSequence.starts(with: 0x4F))
    }
}
