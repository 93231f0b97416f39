import PipelineCore
import TerminalCore

/// The lead editor (a new lead, or Enter on one), with the board's editing conventions.
public struct LeadEditor: Sendable {
    /// The lead being edited; `nil` for a new one.
    public var lead: Opportunity?
    public var form: Form

    /// - Parameter salesperson: what the new lead's salesperson field starts as: its creator,
    ///   the user at the board (emptied: nobody).
    public init(new language: Language, salesperson: String = "") {
        lead = nil
        form = Form(title: Catalogue.text("leadEditor.newTitle", language), fields: Self.fields(for: nil, language: language))
        if let index = form.fields.firstIndex(where: { $0.id == "cardEditor.salesperson" }) {
            form.fields[index].kind = .text(TextField(salesperson))
        }
    }

    public init(editing lead: Opportunity, language: Language) {
        self.lead = lead
        form = Form(title: Catalogue.text("leadEditor.editTitle", language, [String(describing: lead.id)]),
                    fields: Self.fields(for: lead, language: language))
    }

    static func fields(for lead: Opportunity?, language: Language) -> [FormField] {
        let revenue = lead.map { MoneyFormat.typed($0.expectedRevenue, language: language) } ?? ""
        let values: [(String, String, Field, Bool)] = [
            ("cardEditor.title", lead?.title ?? "", .title, false),
            ("leadEditor.company", lead?.customer.name ?? "", .customer, false),
            ("cardEditor.contact", lead?.customer.contactName ?? "", .contact, false),
            ("cardEditor.email", lead?.customer.email ?? "", .email, false),
            ("cardEditor.phone", lead?.customer.phone ?? "", .phone, false),
            ("cardEditor.expectedRevenue", revenue, .expectedRevenue, false),
            ("cardEditor.salesperson", lead?.salesperson ?? "", .salesperson, false),
            ("cardEditor.priority", String(lead?.priority.stars ?? 0), .priority, false),
            ("cardEditor.notes", lead?.notes ?? "", .notes, true),
        ]
        return values.map { key, value, field, multiline in
            FormField(key, language, .text(TextField(value, multiline: multiline)), domainField: field)
        }
    }

    /// The form as the domain's input; for an edit, only what changed.
    func opportunityForm(language: Language) -> OpportunityForm {
        let original = Form(title: "", fields: Self.fields(for: lead, language: language))
        func value(_ id: String) -> String? {
            let text = form.value(id)
            if lead == nil { return text.trimmingCharacters(in: " ").isEmpty && id != "cardEditor.title" ? nil : text }
            return text == original.value(id) ? nil : text
        }
        return OpportunityForm(title: value("cardEditor.title"), customer: value("leadEditor.company"), contact: value("cardEditor.contact"),
                               email: value("cardEditor.email"), phone: value("cardEditor.phone"),
                               expectedRevenue: value("cardEditor.expectedRevenue"), salesperson: value("cardEditor.salesperson"),
                               priority: value("cardEditor.priority"), notes: value("cardEditor.notes"))
    }
}

/// The conversion wizard: new opportunity or merge with duplicates, whose customer
/// fields, which salesperson and team.
public struct ConversionWizard: Sendable {
    public var lead: Opportunity
    public var duplicates: [Opportunity]
    public var form: Form
    /// The teams offered, in the order of the Team field.
    let teams: [Team]
    /// The customer choices, in the order of the Customer field.
    let customers: [Conversion.CustomerChoice]

    /// - Parameter teams: the teams the deal may go to (the user's); every team by default.
    public init(lead: Opportunity, duplicates: [Opportunity], catalog: StageCatalog, language: Language, teams: [Team]? = nil) {
        self.lead = lead
        self.duplicates = duplicates
        // The lead's own team stays offered (and chosen) even when the list leaves it out.
        let offered = teams ?? catalog.teams
        let teams = offered.contains { $0.id == lead.team } ? offered : (catalog.team(lead.team).map { [$0] } ?? []) + offered
        self.teams = teams
        let t = Localizer(language)
        var fields: [FormField] = []
        // Only a sure duplicate that is still in play is ticked; the others are offered unticked.
        let ticked = Set(duplicates.filter { duplicate in
            let closed = !duplicate.isActive || duplicate.stage.flatMap { catalog.stage($0)?.outcome }.map { $0 != .open } ?? false
            return !closed && DuplicateRule.isStrongDuplicate(duplicate, of: lead)
        }.map(\.id))
        let actions = duplicates.isEmpty ? [t("convert.action.new")] : [t("convert.action.merge"), t("convert.action.new")]
        fields.append(FormField("convert.action", language, .choice(actions, selected: duplicates.isEmpty || !ticked.isEmpty ? 0 : 1)))
        for duplicate in duplicates {
            let stage = duplicate.stage.flatMap { catalog.stage($0)?.name } ?? t("convert.aLead")
            let money = MoneyFormat.display(duplicate.expectedRevenue, language: language)
            var field = FormField(id: "convert.merge.\(duplicate.id)", label: t("convert.merge", duplicate.id),
                                  .toggle(ticked.contains(duplicate.id)))
            field.caption = "\(duplicate.title) · \(stage) · \(money)"
            fields.append(field)
        }
        let opportunities = duplicates.filter { $0.kind == .opportunity }
        let choices: [Conversion.CustomerChoice] = [.lead] + opportunities.map { .opportunity($0.id) } + [.none]
        customers = choices
        let customerLabels = [t("convert.customer.lead")] + opportunities.map { t("convert.customer.of", $0.id) } + [t("convert.customer.none")]
        let preferred = DuplicateRule.preferredCustomer(among: duplicates, for: lead)
        let selected = preferred.flatMap { match in choices.firstIndex(of: .opportunity(match.id)) } ?? 0
        fields.append(FormField("convert.customer", language, .choice(customerLabels, selected: selected)))
        fields.append(FormField("cardEditor.salesperson", language, .text(TextField(lead.salesperson)), domainField: .salesperson))
        fields.append(FormField("convert.team", language, .choice(teams.map(\.name),
                                                                 selected: teams.firstIndex { $0.id == lead.team } ?? 0)))
        form = Form(title: t("convert.title", lead.id, lead.title), fields: fields)
        form.titleSubject = lead.title
    }

    /// What the wizard asks for.
    var conversion: Conversion {
        let merge = !duplicates.isEmpty && form.selectedIndex("convert.action") == 0
        let ticked = duplicates.filter { form.isOn("convert.merge.\($0.id)") }.map(\.id)
        let customerIndex = form.selectedIndex("convert.customer"), teamIndex = form.selectedIndex("convert.team")
        let customer = customers.indices.contains(customerIndex) ? customers[customerIndex] : .lead
        let team = teams.indices.contains(teamIndex) ? teams[teamIndex].id : lead.team
        let salesperson = form.value("cardEditor.salesperson")
        return Conversion(team: team, salesperson: salesperson == lead.salesperson ? nil : salesperson, customer: customer,
                          mergeWith: merge ? ticked : [])
    }
}
