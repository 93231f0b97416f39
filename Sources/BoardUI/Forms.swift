import PipelineCore
import TerminalCore

/// A field of a modal form: text, a choice among values, or an on/off switch.
public struct FormField: Sendable {
    public enum Kind: Sendable {
        case text(TextField)
        case choice([String], selected: Int)
        case toggle(Bool)
    }

    /// Names the field in code: its label's catalogue key, whatever the language shows.
    public var id: String
    public var label: String
    public var kind: Kind
    /// Shown next to the field; the form cannot be saved while any field has one.
    public var error: String?
    /// Which domain field's errors land here.
    public var domainField: Field?
    /// What an on/off field is about, shown beside its box.
    public var caption: String?
    /// A figure that helps fill the field, shown under its value (the stage editor's seen
    /// rate beside the probability); unlike an error it never stops the form being saved.
    public var note: String?

    /// A field labelled with the catalogue text of `key` in `language`.
    public init(_ key: String, _ language: Language, _ kind: Kind, domainField: Field? = nil) {
        self.id = key
        self.label = Catalogue.text(key, language)
        self.kind = kind
        self.domainField = domainField
    }

    /// A field whose label is already in the user's language (it names a record, say).
    public init(id: String, label: String, _ kind: Kind, domainField: Field? = nil) {
        self.id = id
        self.label = label
        self.kind = kind
        self.domainField = domainField
    }

    public var isOn: Bool {
        if case .toggle(let on) = kind { return on }
        return false
    }

    public var text: String {
        switch kind {
        case .text(let field): return field.text
        case .choice(let values, let selected): return values.indices.contains(selected) ? values[selected] : ""
        case .toggle(let on): return on ? "on" : "off"
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
    /// The part of the title that names a record: what gives way when the title is too long
    /// for its box, so that the rest still says what the pane is for.
    public var titleSubject: String?

    public init(title: String, fields: [FormField]) {
        self.title = title
        self.fields = fields
    }

    /// The text of the field with this id.
    public func value(_ id: String) -> String {
        fields.first { $0.id == id }?.text ?? ""
    }

    public func isOn(_ id: String) -> Bool {
        fields.first { $0.id == id }?.isOn ?? false
    }

    public func selectedIndex(_ id: String) -> Int {
        if case .choice(_, let selected)? = fields.first(where: { $0.id == id })?.kind { return selected }
        return 0
    }

    public mutating func clearErrors() {
        for index in fields.indices { fields[index].error = nil }
    }

    /// Puts a domain error next to the field it names (else on the focused field).
    public mutating func show(_ error: PipelineError, language: Language) {
        let index = fields.firstIndex { $0.domainField != nil && $0.domainField == error.field } ?? focused
        // Next to its field, the field's name need not be repeated.
        var message = error.message(in: language)
        if let field = error.field {
            let prefix = field.name(in: language) + ": "
            if message.hasPrefix(prefix) { message.removeFirst(prefix.count) }
        }
        fields[index].error = message
        focused = index
    }

    /// A sentence about the whole form rather than one field, shown at the focused field.
    public mutating func show(message: String) {
        fields[focused].error = message
    }

    /// A sentence about the field with this id that the error itself does not name (a
    /// role's refusal, say), shown beside it and focusing it; else at the focused field.
    public mutating func show(message: String, at id: String) {
        if let index = fields.firstIndex(where: { $0.id == id }) { focused = index }
        fields[focused].error = message
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
/// outcome, scope, and the days after which its deals rot (issue 13).
public struct StageEditor: Sendable {
    public var stage: Stage
    public var form: Form

    static let outcomes: [StageOutcome] = [.open, .won, .lost]

    public let language: Language
    /// The stage's seen rate among closed deals (issue 14), once the board has read it:
    /// shown under the probability, and what Ctrl-O adopts.
    public private(set) var observation: StageObservation?

    public init(stage: Stage, teamName: String, language: Language = .english) {
        self.stage = stage
        self.language = language
        let t = Localizer(language)
        form = Form(title: t("stageEditor.title", stage.name), fields: [
            FormField("stageEditor.name", language, .text(TextField(stage.name)), domainField: .stageName),
            FormField("stageEditor.probability", language, .text(TextField(stage.probability.decimalString)), domainField: .probability),
            FormField("stageEditor.requirements", language, .text(TextField(stage.requirements, multiline: true)), domainField: .requirements),
            FormField("stageEditor.folded", language, .toggle(stage.isFolded)),
            FormField("stageEditor.outcome", language, .choice(Self.outcomes.map { $0.name(in: language) },
                                                              selected: Self.outcomes.firstIndex(of: stage.outcome) ?? 0)),
            FormField("stageEditor.scope", language, .choice([t("stageEditor.scope.shared"), t("stageEditor.scope.team", teamName)],
                                                            selected: stage.scope == .shared ? 0 : 1)),
            // Last, so that the fields above keep their places: empty (or off) never rots.
            FormField("stageEditor.rotting", language, .text(TextField(stage.rottingDays.map(String.init) ?? "")), domainField: .rottingDays),
        ])
    }

    static let probabilityField = "stageEditor.probability"
    /// Adopts the seen rate (a control key: every letter is text in the editor's fields).
    static let adoptKey = Key.control("o")

    /// The seen rate read from the store; the note under the probability says it.
    mutating func show(_ observation: StageObservation) {
        self.observation = observation
        refreshNote()
    }

    /// "50 % · seen 31 % (n 42, 24–39 %)": the probability the field holds beside what the
    /// stage's closed deals reached; "no closed deals yet" while none did.
    mutating func refreshNote() {
        guard let observation, let index = form.fields.firstIndex(where: { $0.id == Self.probabilityField }) else { return }
        form.fields[index].note = Self.note(observation, probability: try? Probability(parsing: form.value(Self.probabilityField)),
                                            language: language)
    }

    static func note(_ observation: StageObservation, probability: Probability?, language: Language) -> String {
        let t = Localizer(language)
        let seen: String
        if let rate = observation.rate, let interval = observation.interval {
            seen = t("stageEditor.seen", wholePercent(rate), observation.n, wholePercent(interval.low), wholePercent(interval.high))
        } else {
            seen = t("stageEditor.seen.none")
        }
        guard let probability else { return seen }
        return t("stageEditor.seen.beside", probability.decimalString, seen)
    }

    /// A share (0–1) as a whole percent, rounded half up: 0.305 → 31.
    static func wholePercent(_ share: Double) -> Int { Int((share * 100).rounded(.toNearestOrAwayFromZero)) }

    /// Ctrl-O: the seen rate, rounded to a whole percent, into the probability field (saved
    /// with the editor like any edit); `false` when there is none to adopt.
    mutating func adoptSeenRate() -> Bool {
        guard let rate = observation?.rate, let index = form.fields.firstIndex(where: { $0.id == Self.probabilityField }) else { return false }
        form.fields[index].kind = .text(TextField(String(Self.wholePercent(rate))))
        form.fields[index].error = nil
        form.focused = index
        refreshNote()
        return true
    }

    /// The edit the form describes, validated field by field; errors go next to fields.
    mutating func edit(for team: Team.ID) -> StageEdit? {
        form.clearErrors()
        var edit = StageEdit()
        let name = form.value("stageEditor.name")
        if name != stage.name { edit.name = name }
        do {
            let probability = try Probability(parsing: form.value("stageEditor.probability"))
            if probability != stage.probability { edit.probability = probability }
        } catch {
            form.show(error, language: language)
        }
        let requirements = form.value("stageEditor.requirements")
        if requirements != stage.requirements { edit.requirements = requirements }
        let folded = form.isOn("stageEditor.folded")
        if folded != stage.isFolded { edit.isFolded = folded }
        let outcome = Self.outcomes[form.selectedIndex("stageEditor.outcome")]
        if outcome != stage.outcome { edit.outcome = outcome }
        let scope: StageScope = form.selectedIndex("stageEditor.scope") == 0 ? .shared : .team(team)
        if scope != stage.scope { edit.scope = scope }
        do {
            let rotting = try Stage.rottingDays(parsing: form.value("stageEditor.rotting"), language: language)
            if rotting != stage.rottingDays { edit.rottingDays = .some(rotting) }
        } catch {
            form.show(error, language: language)
        }
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

    /// - Parameter salesperson: the user at the board: the new deal's salesperson unless
    ///   changed (emptied: nobody), in a third field; without it the prompt has two fields
    ///   and the store gives the deal its creator.
    public init(newIn stage: Stage.ID, stageName: String, language: Language = .english, salesperson: String? = nil) {
        card = nil
        self.stage = stage
        var fields = [
            FormField("cardEditor.title", language, .text(TextField()), domainField: .title),
            FormField("cardEditor.expectedRevenue", language, .text(TextField()), domainField: .expectedRevenue),
        ]
        if let salesperson {
            fields.append(FormField("cardEditor.salesperson", language, .text(TextField(salesperson)), domainField: .salesperson))
        }
        form = Form(title: Catalogue.text("cardEditor.newTitle", language, [stageName]), fields: fields)
    }

    /// - Parameter language: how the amount is written in the field (and will be read back).
    public init(editing card: Opportunity, language: Language = .english) {
        self.card = card
        stage = card.stage ?? Stage.ID(0)
        var fields: [(String, String, Field, Bool)] = [
            ("cardEditor.title", card.title, .title, false),
            ("cardEditor.customer", card.customer.name, .customer, false),
            ("cardEditor.contact", card.customer.contactName, .contact, false),
            ("cardEditor.email", card.customer.email, .email, false),
            ("cardEditor.phone", card.customer.phone, .phone, false),
            ("cardEditor.expectedRevenue", MoneyFormat.typed(card.expectedRevenue, language: language), .expectedRevenue, false),
            ("cardEditor.currency", card.expectedRevenue.currency.code, .currency, false),
            ("cardEditor.probability", card.probability?.decimalString ?? "", .probability, false),
            ("cardEditor.salesperson", card.salesperson, .salesperson, false),
            ("cardEditor.closing", card.expectedClosing?.display(in: language) ?? "", .closingDate, false),
            ("cardEditor.priority", String(card.priority.stars), .priority, false),
            ("cardEditor.tags", card.tags.joined(separator: ", "), .tag, false),
            ("cardEditor.notes", card.notes, .notes, true),
        ]
        // A lost deal says why, right under its title, where it can be reworded.
        if let reason = card.lostReason { fields.insert(("cardEditor.lostReason", reason, .lostReason, false), at: 1) }
        form = Form(title: Catalogue.text("cardEditor.editTitle", language, [String(describing: card.id)]), fields: fields.map { key, value, field, multiline in
            FormField(key, language, .text(TextField(value, multiline: multiline)), domainField: field)
        })
    }

    /// The form as the domain's input: unchanged fields are left out, so that saving
    /// never rewrites what the user did not touch (a probability stays "set by hand" only
    /// when typed).
    func opportunityForm(language: Language) -> OpportunityForm {
        guard let card else {
            let revenue = form.value("cardEditor.expectedRevenue").trimmingCharacters(in: " ")
            let salesperson = form.fields.contains { $0.id == "cardEditor.salesperson" } ? form.value("cardEditor.salesperson") : nil
            return OpportunityForm(title: form.value("cardEditor.title"), expectedRevenue: revenue.isEmpty ? nil : revenue,
                                   salesperson: salesperson)
        }
        let original = CardEditor(editing: card, language: language).form
        func changed(_ id: String) -> String? {
            let value = form.value(id)
            return value == original.value(id) ? nil : value
        }
        return OpportunityForm(
            title: changed("cardEditor.title"), customer: changed("cardEditor.customer"), contact: changed("cardEditor.contact"),
            email: changed("cardEditor.email"), phone: changed("cardEditor.phone"), expectedRevenue: changed("cardEditor.expectedRevenue"),
            currency: changed("cardEditor.currency"), probability: changed("cardEditor.probability"),
            salesperson: changed("cardEditor.salesperson"), expectedClosing: changed("cardEditor.closing"),
            priority: changed("cardEditor.priority"),
            tags: changed("cardEditor.tags").map { $0.split(separator: ",").map(String.init).filter { !$0.trimmingCharacters(in: " ").isEmpty } },
            notes: changed("cardEditor.notes"), lostReason: card.lostReason == nil ? nil : changed("cardEditor.lostReason"))
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

/// `N`: the add-column prompt: the new stage's name and probability, and the steps of the
/// guide's process the pipeline lacks. A name that is one of the guide's steps fills in
/// that step's probability, unless one was typed by hand.
public struct ColumnPrompt: Sendable {
    public var form: Form
    public var suggestions: [StageTemplate.Step]
    /// The highlighted suggestion, or `nil` while the typed name counts.
    public var selected: Int?
    /// Added since the prompt opened (it stays open for the next column).
    public var added = 0
    /// The probability was typed: names no longer fill it in.
    public var probabilityTyped = false
    let language: Language

    static let nameField = "stageEditor.name", probabilityField = "stageEditor.probability"

    public init(suggestions: [StageTemplate.Step], language: Language) {
        self.suggestions = suggestions
        self.language = language
        form = Form(title: Catalogue.text("overlay.addColumn.title", language), fields: [
            FormField(Self.nameField, language, .text(TextField()), domainField: .stageName),
            FormField(Self.probabilityField, language, .text(TextField()), domainField: .probability),
        ])
    }

    public var name: String { form.value(Self.nameField) }

    /// The guide's step the typed name is, if any.
    var step: StageTemplate.Step? { StageTemplate.step(named: name) }

    /// Takes an edit from the keyboard into the focused field.
    mutating func edit(_ edit: TextField.Edit) {
        let before = form.value(form.fields[form.focused].id)
        form.edit(edit)
        guard form.value(form.fields[form.focused].id) != before else { return }
        selected = nil
        if form.focused == 1 {
            probabilityTyped = !form.value(Self.probabilityField).isEmpty
        } else if !probabilityTyped {
            fillProbability()
        }
    }

    /// Highlights a suggestion and puts its name and probability in the fields.
    mutating func choose(_ index: Int?) {
        selected = index
        guard let index, suggestions.indices.contains(index) else { return }
        form.fields[0].kind = .text(TextField(suggestions[index].name(in: language)))
        form.fields[0].error = nil
        probabilityTyped = false
        fillProbability()
    }

    private mutating func fillProbability() {
        form.fields[1].kind = .text(TextField(step?.probability.decimalString ?? ""))
        form.fields[1].error = nil
    }

    /// Empties the fields for the next column.
    mutating func reset(suggestions: [StageTemplate.Step]) {
        self.suggestions = suggestions
        form = ColumnPrompt(suggestions: suggestions, language: language).form
        selected = nil
        probabilityTyped = false
    }

    /// The stage the fields describe: a step of the guide takes that step's outcome and
    /// requirements. A refusal goes next to its field.
    mutating func draft() -> StageDraft? {
        form.clearErrors()
        let text = form.value(Self.probabilityField).trimmingCharacters(in: " ")
        do {
            guard !text.isEmpty else {
                form.fields[1].error = Catalogue.text("overlay.addColumn.probabilityRequired", language)
                form.focused = 1
                return nil
            }
            let probability = try Probability(parsing: text)
            return StageDraft.named(name, probability: probability, requirements: nil, outcome: nil, language: language)
        } catch let error as PipelineError {
            form.show(error, language: language)
            return nil
        } catch {
            return nil
        }
    }
}

/// `x`: why a deal (or a lead) is lost. The reason is required; the prompt names the record.
/// Also asked when a card is carried or moved into a lost stage, which it then goes to.
public struct ReasonPrompt: Sendable {
    public var record: Opportunity.ID
    /// The lost stage the card was carried or moved into (`nil`: `x`, the first lost stage).
    public var stage: Stage.ID?
    public var form: Form

    public init(_ record: Opportunity, lead: Bool, into stage: Stage.ID? = nil, language: Language) {
        self.record = record.id
        self.stage = stage
        form = Form(title: Catalogue.text(lead ? "overlay.leadLost.title" : "overlay.lost.title", language, [record.title]), fields: [
            FormField("overlay.lost.reason", language, .text(TextField()), domainField: .lostReason),
        ])
        form.titleSubject = record.title
    }

    public var reason: String { form.value("overlay.lost.reason") }
}

/// `S`: the settings the CLI's `settings set` changes, on the board: the Leads step, the
/// board's direction, the language and the default currency. Saved as the CLI saves them.
public struct SettingsEditor: Sendable {
    public var form: Form
    let original: [SettingKey: String]

    static let directions: [BoardDirection] = [.rightToLeft, .leftToRight]
    static let languages: [Language] = [.english, .vietnamese]

    public init(leads: Bool, direction: BoardDirection, language: Language, currency: CurrencyCode) {
        let t = Localizer(language)
        original = [.leads: leads ? "on" : "off", .direction: direction.rawValue, .language: language.rawValue, .currency: currency.code]
        var leadsField = FormField("settings.leads", language, .toggle(leads))
        leadsField.caption = t("settings.leads.caption")
        form = Form(title: t("settings.title"), fields: [
            leadsField,
            FormField("settings.direction", language, .choice([t("settings.direction.rtl"), t("settings.direction.ltr")],
                                                            selected: Self.directions.firstIndex(of: direction) ?? 0)),
            FormField("settings.language", language, .choice(Self.languages.map { t("settings.language.\($0.rawValue)") },
                                                           selected: Self.languages.firstIndex(of: language) ?? 0)),
            FormField("settings.currency", language, .text(TextField(currency.code)), domainField: .currency),
        ])
    }

    /// The field that sets `key`.
    static func fieldID(of key: SettingKey) -> String? {
        switch key {
        case .leads: return "settings.leads"
        case .direction: return "settings.direction"
        case .language: return "settings.language"
        case .currency: return "settings.currency"
        case .team: return nil
        }
    }

    /// The settings the form changes, each validated and normalised as `settings set` does;
    /// `nil` (with the error beside its field) when one is not valid.
    mutating func changes(language: Language) -> [(key: SettingKey, value: String)]? {
        form.clearErrors()
        let values: [(SettingKey, String, String)] = [
            (.leads, form.isOn("settings.leads") ? "on" : "off", "settings.leads"),
            (.direction, Self.directions[form.selectedIndex("settings.direction")].rawValue, "settings.direction"),
            (.language, Self.languages[form.selectedIndex("settings.language")].rawValue, "settings.language"),
            (.currency, form.value("settings.currency"), "settings.currency"),
        ]
        var changes: [(key: SettingKey, value: String)] = []
        for (key, value, field) in values {
            // A value left as it was is no change, even one no longer valid (a currency code
            // stored before codes were checked against ISO 4217).
            guard value.trimmingCharacters(in: " ") != original[key] else { continue }
            do {
                // A currency is checked as any amount's currency is, so its error says what a code is.
                if key == .currency { _ = try CurrencyCode(parsing: value) }
                let normalized = try key.normalized(value)
                if normalized != original[key] { changes.append((key, normalized)) }
            } catch {
                if let index = form.fields.firstIndex(where: { $0.id == field }) {
                    form.focused = index
                    form.show(error, language: language)
                }
                return nil
            }
        }
        return changes
    }
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
