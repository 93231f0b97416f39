import CNcurses
import Testing

/// The system-library target builds and links: the wide-character API and the shim's
/// re-exports are visible to Swift. No terminal is needed for any of this.
@Suite("CNcurses")
struct CNcursesTests {
    @Test func linksTheWideCharacterNcurses() throws {
        let version = String(cString: curses_version())
        #expect(version.hasPrefix("ncurses 6"))
        // Present only when the shim turns the wide API on.
        var cell = cchar_t()
        var text: [wchar_t] = [wchar_t(0x1EDB), 0]  // ớ
        #expect(setcchar(&cell, &text, 0, 0, nil) == OK)
    }

    @Test func reExportsWhatSwiftCannotImport() {
        #expect(CN_A_BOLD != 0 && CN_A_REVERSE != 0 && CN_A_BOLD != CN_A_REVERSE)
        #expect(cn_key_f(1) == KEY_F0 + 1)
        #expect(CN_BUTTON1_PRESSED != 0 && CN_ALL_MOUSE_EVENTS & CN_BUTTON1_PRESSED != 0)
        #expect(cn_color_pair(3) == 3 << 8)
    }
}
