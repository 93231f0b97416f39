import PipelineCore
import TerminalCore

/// The lead editor (a new lead, or Enter on one), with the board's editing conventions.
public struct LeadEditor: Sendable {
    /// The lead being edited; `nil` for a new one.
    public var lead: Opportunity?
    public var form: Form

    public init(new language: Language) {
        lead = nil
        form = Form(title: "New lead", fields: Self.fields(for: nil, language: language))
    }

    public init(editing lead: Opportunity, language: Language) {
        self.lead = lead
        form = Form(title: "Lead \(lead.id)", fields: Self.fields(for: lead, language: language))
    }

    static func fields(for lead: Opportunity?, language: Language) -> [FormField] {
        let revenue = lead.map { MoneyFormat.display(Int128($0.expectedRevenue.minorUnits), currency: $0.expectedRevenue.currency, language: language)
            .filter { $0.isNumber || $0 == "." || $0 == "," } } ?? ""
        let values: [(String, String, Field, Bool)] = [
            ("Title", lead?.title ?? "", .title, false),
            ("Company", lead?.customer.name ?? "", .customer, false),
            ("Contact", lead?.customer.contactName ?? "", .contact, false),
            ("E-mail", lead?.customer.email ?? "", .email, false),
            ("Phone", lead?.customer.phone ?? "", .phone, false),
            ("Expected revenue", revenue, .expectedRevenue, false),
            ("Salesperson", lead?.salesperson ?? "", .salesperson, false),
            ("Priority (0-3)", String(lead?.priority.stars ?? 0), .priority, false),
            ("Notes", lead?.notes ?? "", .notes, true),
        ]
        return values.map { label, value, field, multiline in
            FormField(label, .text(TextField(value, multiline: multiline)), domainField: field)
        }
    }

    /// The form as the domain's input; for an edit, only what changed.
    func opportunityForm(language: Language) -> OpportunityForm {
        let original = Form(title: "", fields: Self.fields(for: lead, language: language))
        func value(_ label: String) -> String? {
            let text = form.value(label)
            if lead == nil { return text.trimmingCharacters(in: " ").isEmpty && label != "Title" ? nil : text }
            return text == original.value(label) ? nil : text
        }
        return OpportunityForm(title: value("Title"), customer: value("Company"), contact: value("Contact"), email: value("E-mail"),
                               phone: value("Phone"), expectedRevenue: value("Expected revenue"), salesperson: value("Salesperson"),
                               priority: value("Priority (0-3)"), notes: value("Notes"))
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

    public init(lead: Opportunity, duplicates: [Opportunity], catalog: StageCatalog, language: Language) {
        self.lead = lead
        self.duplicates = duplicates
        teams = catalog.teams
        var fields: [FormField] = []
        let actions = duplicates.isEmpty ? ["new opportunity"] : ["merge with the ticked", "new opportunity"]
        fields.append(FormField("Action", .choice(actions, selected: 0)))
        for duplicate in duplicates {
            let stage = duplicate.stage.flatMap { catalog.stage($0)?.name } ?? "lead"
            let money = MoneyFormat.display(duplicate.expectedRevenue, language: language)
            var field = FormField("Merge #\(duplicate.id)", .toggle(true))
            field.caption = "\(duplicate.title) · \(stage) · \(money)"
            fields.append(field)
        }
        let opportunities = duplicates.filter { $0.kind == .opportunity }
        let choices: [Conversion.CustomerChoice] = [.lead] + opportunities.map { .opportunity($0.id) } + [.none]
        customers = choices
        let customerLabels = ["the lead's"] + opportunities.map { "#\($0.id)'s" } + ["none"]
        let preferred = DuplicateRule.preferredCustomer(among: duplicates, for: lead)
        let selected = preferred.flatMap { match in choices.firstIndex(of: .opportunity(match.id)) } ?? 0
        fields.append(FormField("Customer", .choice(customerLabels, selected: selected)))
        fields.append(FormField("Salesperson", .text(TextField(lead.salesperson)), domainField: .salesperson))
        fields.append(FormField("Team", .choice(catalog.teams.map(\.name), selected: catalog.teams.firstIndex { $0.id == lead.team } ?? 0)))
        form = Form(title: "Convert lead \(lead.id): \(lead.title)", fields: fields)
    }

    /// What the wizard asks for.
    var conversion: Conversion {
        let merge = !duplicates.isEmpty && form.selectedIndex("Action") == 0
        let ticked = duplicates.enumerated().compactMap { index, duplicate in
            form.fields.indices.contains(index + 1) && form.fields[index + 1].text == "yes" ? duplicate.id : nil
        }
        let customer = customers.indices.contains(form.selectedIndex("Customer")) ? customers[form.selectedIndex("Customer")] : .lead
        let team = teams.indices.contains(form.selectedIndex("Team")) ? teams[form.selectedIndex("Team")].id : lead.team
        let salesperson = form.value("Salesperson")
        return Conversion(team: team, salesperson: salesperson == lead.salesperson ? nil : salesperson, customer: customer,
                          mergeWith: merge ? ticked : [])
    }
}
