import TerminalCore

/// Pasted text (the terminal's bracketed paste) goes into the focused text field as typed
/// text, never as keys: an ESC or a line break in it cannot close a form, save it, or run a
/// board command. What the CLI's text fields refuse is dropped here (a paste cannot be
/// answered field by field): ESC and the other C0 and C1 controls, DEL, and the
/// bidirectional overrides. Tabs become spaces; a line break is a line feed in a multi-line
/// field and a space in a one-line one. Outside a text field (the board itself, a choice, a
/// switch, a list) a paste does nothing.
///
/// A paste inserts at most a field's limit (`limit(multiline:)`), and the status line says
/// when it was cut: each character goes through the reducer as a keystroke, so 300 KB pasted
/// into a field would otherwise hold the board for minutes.
enum BoardPaste {
    /// The most characters one paste puts into a one-line field (a name, an amount, a date).
    static let singleLineLimit = 1_000
    /// The most characters one paste puts into a multi-line field (notes, requirements): a
    /// long e-mail's worth.
    static let multiLineLimit = 10_000

    static func limit(multiline: Bool) -> Int { multiline ? multiLineLimit : singleLineLimit }

    static func paste(_ text: String, _ state: inout BoardState) -> [BoardEffect] {
        guard let multiline = focusedTextField(state) else { return [] }
        var effects: [BoardEffect] = []
        let limit = limit(multiline: multiline)
        var typed = typeable(text, multiline: multiline)
        let cut = typed.count > limit
        if cut { typed = String(typed.prefix(limit)) }
        defer { if cut { state.status = .hint(state.t("paste.cut", limit)) } }
        for character in typed {
            // In a multi-line field Enter is a new line (it saves only a one-line field).
            let key: Key = character == "\n" ? .enter : .character(character)
            let produced = BoardReducer.handle(key, &state)
            // Each keystroke's effect (the live filter's reload) supersedes the one before.
            if !produced.isEmpty { effects = produced }
        }
        return effects
    }

    /// Whether a text field has focus, and if so whether it takes several lines.
    static func focusedTextField(_ state: BoardState) -> Bool? {
        switch state.mode {
        case .stageEditor(let editor): return editor.form.focusedTextIsMultiline
        case .cardEditor(let editor), .newCard(let editor): return editor.form.focusedTextIsMultiline
        case .addColumn(let prompt): return prompt.form.focusedTextIsMultiline
        case .lostReason(let prompt), .leadLostReason(let prompt): return prompt.form.focusedTextIsMultiline
        case .settings(let editor): return editor.form.focusedTextIsMultiline
        case .leadEditor(let editor): return editor.form.focusedTextIsMultiline
        case .convertLead(let wizard): return wizard.form.focusedTextIsMultiline
        case .activityEditor(let editor): return editor.form.focusedTextIsMultiline
        case .completeActivity(let pane): return pane.form.focusedTextIsMultiline
        case .reschedule(let prompt): return prompt.form.focusedTextIsMultiline
        case .filtering, .teamPicker: return false
        case .browsing, .carryingCard, .carryingColumn, .deleteColumn, .help: return nil
        }
    }

    /// The characters of `text` a field of this kind can take.
    static func typeable(_ text: String, multiline: Bool) -> String {
        var scalars = String.UnicodeScalarView()
        var afterCarriageReturn = false
        for scalar in text.unicodeScalars {
            defer { afterCarriageReturn = scalar == "\r" }
            switch scalar.value {
            case 0x0A where afterCarriageReturn:
                continue  // CRLF: the CR already made the line break
            case 0x0A, 0x0D:
                scalars.append(multiline ? "\n" : " ")
            case 0x09:
                scalars.append(" ")
            case 0x00...0x1F, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069:
                continue
            default:
                scalars.append(scalar)
            }
        }
        return String(scalars)
    }
}

extension Form {
    /// `nil` when the focused field is not text (a choice, a switch), else whether it is multi-line.
    var focusedTextIsMultiline: Bool? {
        guard fields.indices.contains(focused), case .text(let field) = fields[focused].kind else { return nil }
        return field.multiline
    }
}
