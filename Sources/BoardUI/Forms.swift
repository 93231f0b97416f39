import PipelineCore
import TerminalCore

/// A field of a modal form: text, a choice among values, or an on/off switch.
public struct FormField: Sendable {
    public enum Kind: Sendable {
        case text(TextField)
        case choice([String], selected: Int)
        case toggle(Bool)
    }

    public var label: String
    public var kind: Kind
    /// Shown next to the field; the form cannot be saved while any field has one.
    public var error: String?
    /// Which domain field's errors land here.
    public var domainField: Field?
    /// What an on/off field is about, shown beside its box.
    public var caption: String?

    public init(_ label: String, _ kind: Kind, domainField: Field? = nil) {
        self.label = label
        self.kind = kind
        self.domainField = domainField
    }

    public var text: String {
        switch kind {
        case .text(let field): return field.text
        case .choice(let values, let selected): return values.indices.contains(selected) ? values[selected] : ""
        case .toggle(let on): return on ? "yes" : "no"
        }
    }

    public var isMultiline: Bool {
        if case .text(let field) = kind { return field.multiline }
        return false
    }
}

/// A modal form: the stage editor, the card editor, the new-card prompt.
public struct Form: Sendable {
    public var title: String
    public var fields: [FormField]
    public var focused = 0

    public init(title: String, fields: [FormField]) {
        self.title = title
        self.fields = fields
    }

    public func value(_ label: String) -> String {
        fields.first { $0.label == label }?.text ?? ""
    }

    public func isOn(_ label: String) -> Bool {
        if case .toggle(let on)? = fields.first(where: { $0.label == label })?.kind { return on }
        return false
    }

    public func selectedIndex(_ label: String) -> Int {
        if case .choice(_, let selected)? = fields.first(where: { $0.label == label })?.kind { return selected }
        return 0
    }

    public mutating func clearErrors() {
        for index in fields.indices { fields[index].error = nil }
    }

    /// Puts a domain error next to the field it names (else on the focused field).
    public mutating func show(_ error: PipelineError) {
        let index = fields.firstIndex { $0.domainField != nil && $0.domainField == error.field } ?? focused
        // Next to its field, the field's name need not be repeated.
        var message = error.message
        if let field = error.field, message.hasPrefix(field.rawValue + ": ") { message.removeFirst(field.rawValue.count + 2) }
        fields[index].error = message
        focused = index
    }

    public var hasErrors: Bool { fields.contains { $0.error != nil } }

    public mutating func focusNext() { focused = (focused + 1) % fields.count }
    public mutating func focusPrevious() { focused = (focused + fields.count - 1) % fields.count }

    /// Sends an edit to the focused field. Choices change with ← →, switches with Space.
    /// Returns false when the field does not take it (↑ ↓ from a one-line field).
    @discardableResult
    public mutating func edit(_ edit: TextField.Edit) -> Bool {
        var field = fields[focused]
        defer { fields[focused] = field }
        switch field.kind {
        case .text(var text):
            let applied = text.apply(edit)
            field.kind = .text(text)
            if applied, edit != .up, edit != .down { field.error = nil }
            return applied
        case .choice(let values, let selected):
            switch edit {
            case .left: field.kind = .choice(values, selected: (selected + values.count - 1) % values.count)
            case .right, .insert(" "): field.kind = .choice(values, selected: (selected + 1) % values.count)
            default: return false
            }
            field.error = nil
            return true
        case .toggle(let on):
            switch edit {
            case .insert(" "), .left, .right: field.kind = .toggle(!on)
            default: return false
            }
            field.error = nil
            return true
        }
    }
}

/// The stage editor (the guide's gear → Edit): name, probability, requirements, folded,
/// outcome, scope.
public struct StageEditor: Sendable {
    public var stage: Stage
    public var form: Form

    static let outcomes: [StageOutcome] = [.open, .won, .lost]

    public init(stage: Stage, teamName: String) {
        self.stage = stage
        form = Form(title: "Stage: \(stage.name)", fields: [
            FormField("Name", .text(TextField(stage.name)), domainField: .stageName),
            FormField("Probability (%)", .text(TextField(stage.probability.decimalString)), domainField: .probability),
            FormField("Requirements", .text(TextField(stage.requirements, multiline: true)), domainField: .requirements),
            FormField("Folded", .toggle(stage.isFolded)),
            FormField("Outcome", .choice(Self.outcomes.map(\.rawValue), selected: Self.outcomes.firstIndex(of: stage.outcome) ?? 0)),
            FormField("Scope", .choice(["all teams", "\(teamName) only"], selected: stage.scope == .shared ? 0 : 1)),
        ])
    }

    /// The edit the form describes, validated field by field; errors go next to fields.
    mutating func edit(for team: Team.ID) -> StageEdit? {
        form.clearErrors()
        var edit = StageEdit()
        let name = form.value("Name")
        if name != stage.name { edit.name = name }
        do {
            let probability = try Probability(parsing: form.value("Probability (%)"))
            if probability != stage.probability { edit.probability = probability }
        } catch {
            form.show(error)
        }
        let requirements = form.value("Requirements")
        if requirements != stage.requirements { edit.requirements = requirements }
        let folded = form.isOn("Folded")
        if folded != stage.isFolded { edit.isFolded = folded }
        let outcome = Self.outcomes[form.selectedIndex("Outcome")]
        if outcome != stage.outcome { edit.outcome = outcome }
        let scope: StageScope = form.selectedIndex("Scope") == 0 ? .shared : .team(team)
        if scope != stage.scope { edit.scope = scope }
        return form.hasErrors ? nil : edit
    }
}

/// The card editor, and the new-card prompt (title, then an optional expected revenue).
public struct CardEditor: Sendable {
    /// The card being edited; `nil` for a new card.
    public var card: Opportunity?
    /// The column a new card goes in.
    public var stage: Stage.ID
    public var form: Form

    public init(newIn stage: Stage.ID, stageName: String) {
        card = nil
        self.stage = stage
        form = Form(title: "New opportunity in \(stageName)", fields: [
            FormField("Title", .text(TextField()), domainField: .title),
            FormField("Expected revenue", .text(TextField()), domainField: .expectedRevenue),
        ])
    }

    /// - Parameter language: how the amount is written in the field (and will be read back).
    public init(editing card: Opportunity, language: Language = .english) {
        self.card = card
        stage = card.stage ?? Stage.ID(0)
        let fields: [(String, String, Field, Bool)] = [
            ("Title", card.title, .title, false),
            ("Customer", card.customer.name, .customer, false),
            ("Contact", card.customer.contactName, .contact, false),
            ("E-mail", card.customer.email, .email, false),
            ("Phone", card.customer.phone, .phone, false),
            ("Expected revenue", MoneyFormat.display(Int128(card.expectedRevenue.minorUnits), currency: card.expectedRevenue.currency, language: language)
                .filter { $0.isNumber || $0 == "." || $0 == "," }, .expectedRevenue, false),
            ("Currency", card.expectedRevenue.currency.code, .currency, false),
            ("Probability (%)", card.probability?.decimalString ?? "", .probability, false),
            ("Salesperson", card.salesperson, .salesperson, false),
            ("Closing (YYYY-MM-DD)", card.expectedClosing?.iso8601 ?? "", .closingDate, false),
            ("Priority (0-3)", String(card.priority.stars), .priority, false),
            ("Tags", card.tags.joined(separator: ", "), .tag, false),
            ("Notes", card.notes, .notes, true),
        ]
        form = Form(title: "Opportunity \(card.id)", fields: fields.map { label, value, field, multiline in
            FormField(label, .text(TextField(value, multiline: multiline)), domainField: field)
        })
    }

    /// The form as the domain's input: unchanged fields are left out, so that saving
    /// never rewrites what the user did not touch (a probability stays "set by hand" only
    /// when typed).
    func opportunityForm(language: Language) -> OpportunityForm {
        guard let card else {
            let revenue = form.value("Expected revenue").trimmingCharacters(in: " ")
            return OpportunityForm(title: form.value("Title"), expectedRevenue: revenue.isEmpty ? nil : revenue)
        }
        let original = CardEditor(editing: card, language: language).form
        func changed(_ label: String) -> String? {
            let value = form.value(label)
            return value == original.value(label) ? nil : value
        }
        return OpportunityForm(
            title: changed("Title"), customer: changed("Customer"), contact: changed("Contact"), email: changed("E-mail"),
            phone: changed("Phone"), expectedRevenue: changed("Expected revenue"), currency: changed("Currency"),
            probability: changed("Probability (%)"), salesperson: changed("Salesperson"),
            expectedClosing: changed("Closing (YYYY-MM-DD)"), priority: changed("Priority (0-3)"),
            tags: changed("Tags").map { $0.split(separator: ",").map(String.init).filter { !$0.trimmingCharacters(in: " ").isEmpty } },
            notes: changed("Notes"))
    }
}

extension String {
    func trimmingCharacters(in set: Character) -> String {
        var result = Substring(self)
        while result.first == set { result = result.dropFirst() }
        while result.last == set { result = result.dropLast() }
        return String(result)
    }
}

/// `N`: the add-column prompt, offering the stages that would complete the pipeline.
public struct ColumnPrompt: Sendable {
    public var name = TextField()
    public var suggestions: [StageTemplate.Step]
    /// The highlighted suggestion, or `nil` while the typed name counts.
    public var selected: Int?
    /// Added since the prompt opened (it stays open for the next column).
    public var added = 0
    public var error: String?
}

/// `D`: deleting a column; with cards in it, the user picks where they go.
public struct DeleteColumnPrompt: Sendable {
    public var stage: Stage
    public var cardCount: Int
    /// Stages that could take the cards, and the one highlighted.
    public var destinations: [Stage]
    public var selected = 0
}

/// `t`: the team picker, a search field over the teams.
public struct TeamPicker: Sendable {
    public var search = TextField()
    public var selected = 0

    public func matches(in teams: [Team]) -> [Team] {
        let key = TextInput.searchKey(search.text)
        guard !key.isEmpty else { return teams }
        return teams.filter { TextInput.searchKey($0.name).contains(key) }
    }
}
