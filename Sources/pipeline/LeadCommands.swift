import ArgumentParser
import Foundation
import PipelineCore
import PipelineExchange
import PipelineStore

/// `pipeline lead …`: the qualification step before the pipeline (when leads are on).
struct LeadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lead",
        abstract: "Add, list, edit, lose, restore and convert leads (turn them on with: pipeline settings set leads on).",
        discussion: "ID arguments take a lead's id or its title. A lead has no stage and no probability until it is converted into an opportunity, which keeps its id.",
        subcommands: [Add.self, List.self, Show.self, Edit.self, Lost.self, Restore.self, Duplicates.self, Convert.self])

    /// The fields `add` and `edit` share.
    struct Fields: ParsableArguments {
        @Option(help: ArgumentHelp("The contact person's name.", valueName: "name")) var contact: String?
        @Option(help: ArgumentHelp("The company's name.", valueName: "name")) var company: String?
        @Option(help: ArgumentHelp("E-mail address.", valueName: "address")) var email: String?
        @Option(help: ArgumentHelp("Phone number.", valueName: "number")) var phone: String?
        @Option(parsing: .unconditional, help: ArgumentHelp("Expected revenue as you write it: 1,500,000.50 in English, 1.500.000,50 in Vietnamese.", valueName: "amount"))
        var revenue: String?
        @Option(help: ArgumentHelp("ISO 4217 currency code (default: the currency setting).", valueName: "code")) var currency: String?
        @Option(help: ArgumentHelp("The salesperson.", valueName: "name")) var salesperson: String?
        @Option(parsing: .unconditional, help: ArgumentHelp("Priority stars, 0 to 3.", valueName: "0-3")) var priority: String?
        @Option(name: .customLong("tag"), help: ArgumentHelp("A tag (repeat for several; on edit, replaces all).", valueName: "tag"))
        var tags: [String] = []
        @Option(help: ArgumentHelp("Notes (may span lines).", valueName: "text")) var notes: String?

        func form(title: String?) -> OpportunityForm {
            OpportunityForm(title: title, customer: company, contact: contact, email: email, phone: phone, expectedRevenue: revenue,
                            currency: currency, salesperson: salesperson, priority: priority, tags: tags.isEmpty ? nil : tags, notes: notes)
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a lead.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The lead's title.") var title: String
        @OptionGroup var fields: Fields
        @Option(help: ArgumentHelp("The team (default: the team setting).", valueName: "team")) var team: String?

        func run() throws {
            let session = try global.openForLeads()
            let team = try session.team(team)
            let changes = try fields.form(title: title).validated(language: session.language, currency: try session.database.defaultCurrency())
            let lead = try session.database.addLead(changes, team: team.id, context: session.context())
            Console.out("Added lead \(lead.id) '\(lead.title)' to \(team.name).")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List leads, newest first (or by priority or revenue).")
        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp("Only this team's leads.", valueName: "team")) var team: String?
        @Option(help: ArgumentHelp("Order: date (default), priority or revenue.", valueName: "date|priority|revenue")) var sort: String?
        @Flag(help: "Include lost leads.") var lost = false
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let session = try global.openForLeads(writing: false)
            let team = try team.map { try session.database.team($0) }
            guard let order = LeadOrder(rawValue: (sort ?? "date").lowercased()) else {
                throw ValidationError("--sort: '\(sort ?? "")' is not an order; use date, priority or revenue")
            }
            let teamNames = Dictionary(uniqueKeysWithValues: try session.database.teams().map { ($0.id, $0.name) })
            let query = LeadQuery(team: team?.id, includeLost: lost, order: order)
            if json {
                var first = true
                Console.out("[")
                try session.database.forEachLead(query) { lead in
                    if !first { Console.out(",") }
                    Console.out("  " + Present.lead(lead, teamName: teamNames[lead.team]).rendered(indent: 1), terminator: "")
                    first = false
                }
                Console.out(first ? "]" : "\n]")
                return
            }
            var table = Table([
                .init("ID", max: 7, right: true), .init("TITLE", max: 28, min: 10), .init("COMPANY", max: 20, min: 8),
                .init("CONTACT", max: 16, min: 6), .init("EMAIL", max: 24, min: 8), .init("REVENUE", max: 26, right: true),
                .init("SALES", max: 10, min: 4), .init("PRI", max: 3),
            ])
            var count = 0
            try session.database.forEachLead(query) { lead in
                count += 1
                table.add([String(lead.id.rawValue), lead.title + (lead.isActive ? "" : " (lost)"), lead.customer.name,
                           lead.customer.contactName, lead.customer.email, session.money(lead.expectedRevenue),
                           lead.salesperson, String(repeating: "★", count: lead.priority.stars)])
            }
            table.finish()
            if count == 0 { Console.out("No leads; add one with: pipeline lead add TITLE") }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a lead.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The lead (id or title).") var lead: String
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let session = try global.openForLeads(writing: false)
            let lead = try session.database.lead(self.lead)
            let teamName = try session.database.teams().first { $0.id == lead.team }?.name
            if json {
                Console.out(Present.lead(lead, teamName: teamName).rendered())
                return
            }
            var lines = ["Lead \(lead.id): \(lead.title)\(lead.isActive ? "" : " (lost: \(lead.lostReason ?? "archived"))")"]
            for (label, value) in [("Company:", lead.customer.name), ("Contact:", lead.customer.contactName), ("E-mail:", lead.customer.email),
                                   ("Phone:", lead.customer.phone), ("Team:", teamName ?? ""), ("Revenue:", session.money(lead.expectedRevenue)),
                                   ("Salesperson:", lead.salesperson), ("Priority:", String(repeating: "★", count: lead.priority.stars)),
                                   ("Tags:", lead.tags.joined(separator: ", ")), ("Created:", lead.createdAt.iso8601)] where !value.isEmpty {
                lines.append("  " + label.padding(toLength: 14, withPad: " ", startingAt: 0) + value)
            }
            if !lead.notes.isEmpty { lines.append("  Notes:"); lines += lead.notes.split(separator: "\n").map { "    " + $0 } }
            for line in lines { Console.out(line) }
        }
    }

    struct Edit: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change a lead's fields; --team moves it to another team.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The lead (id or title).") var lead: String
        @Option(help: ArgumentHelp("A new title.", valueName: "title")) var title: String?
        @OptionGroup var fields: Fields
        @Option(help: ArgumentHelp("Move it to this team.", valueName: "team")) var team: String?

        func run() throws {
            let session = try global.openForLeads()
            let lead = try session.database.lead(self.lead)
            let team = try team.map { try session.database.team($0) }
            let changes = try fields.form(title: title).validated(language: session.language, currency: lead.expectedRevenue.currency)
            let edited = try session.database.editLead(lead.id, changes, team: team?.id, expectedVersion: lead.version, context: session.context())
            Console.out("Updated lead \(edited.id) '\(edited.title)'.")
        }
    }

    struct Lost: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Mark a lead lost (archived) with a reason.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The lead (id or title).") var lead: String
        @Option(help: ArgumentHelp("Why it was lost (required).", valueName: "text")) var reason: String

        func run() throws {
            let session = try global.openForLeads()
            let lead = try session.database.lead(self.lead)
            let lost = try session.database.markLeadLost(lead.id, reason: reason, expectedVersion: lead.version, context: session.context())
            Console.out("Lost lead \(lost.id) '\(lost.title)': \(lost.lostReason ?? "").")
        }
    }

    struct Restore: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Bring a lost lead back.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The lead (id or title).") var lead: String

        func run() throws {
            let session = try global.openForLeads()
            let lead = try session.database.lead(self.lead)
            let restored = try session.database.restoreLead(lead.id, expectedVersion: lead.version, context: session.context())
            Console.out("Restored lead \(restored.id) '\(restored.title)'.")
        }
    }

    struct Duplicates: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List a lead's possible duplicates.",
            discussion: "Active or lost leads and opportunities with the same e-mail (ignoring case), or the same company or contact name (ignoring case and accents, 6 characters or more).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The lead (id or title).") var lead: String
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let session = try global.openForLeads(writing: false)
            let lead = try session.database.lead(self.lead)
            let duplicates = try session.database.duplicates(of: lead.id)
            let catalog = try session.database.catalog()
            if json {
                Console.out(JSONValue.array(duplicates.map { record in
                    record.kind == .lead ? Present.lead(record, teamName: catalog.team(record.team)?.name)
                        : Present.opportunity(record, stageName: record.stage.flatMap { catalog.stage($0)?.name }, teamName: catalog.team(record.team)?.name)
                }).rendered())
                return
            }
            if duplicates.isEmpty { Console.out("Lead \(lead.id) has no possible duplicates."); return }
            var table = Table([.init("ID", max: 7, right: true), .init("TYPE", max: 11), .init("TITLE", max: 28, min: 10),
                               .init("STAGE", max: 14, min: 6), .init("REVENUE", max: 26, right: true), .init("MATCH", max: 20, min: 6)])
            for record in duplicates {
                table.add([String(record.id.rawValue), record.kind.rawValue + (record.isActive ? "" : " (lost)"), record.title,
                           record.stage.flatMap { catalog.stage($0)?.name } ?? "", session.money(record.expectedRevenue),
                           Self.reason(record, lead)])
            }
            table.finish()
        }

        static func reason(_ record: Opportunity, _ lead: Opportunity) -> String {
            if let email = DuplicateRule.emailKey(lead.customer.email), email == DuplicateRule.emailKey(record.customer.email) { return "e-mail" }
            if let company = DuplicateRule.nameKey(lead.customer.name), company == DuplicateRule.nameKey(record.customer.name) { return "company" }
            return "contact"
        }
    }

    struct Convert: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Convert a lead into an opportunity (same id), optionally merging its duplicates into it.",
            discussion: """
                It goes to the team's first open, unfolded stage with that stage's probability. When the lead has \
                possible duplicates, say what to do: --merge-with ID,ID merges those records into one (the most \
                advanced survives; see Docs/cli.md), --no-merge converts it alone. A lost lead must be restored first.
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The lead (id or title).") var lead: String
        @Option(help: ArgumentHelp("The team whose pipeline it joins (default: the lead's).", valueName: "team")) var team: String?
        @Option(help: ArgumentHelp("The salesperson (default: the lead's).", valueName: "name")) var salesperson: String?
        @Option(help: ArgumentHelp("Customer fields: the lead's own (default), an existing opportunity's, or none.", valueName: "lead|ID|none"))
        var customer: String?
        @Option(name: .customLong("merge-with"), help: ArgumentHelp("Records to merge with it.", valueName: "ID,ID")) var mergeWith: String?
        @Flag(name: .customLong("no-merge"), help: "Convert it alone even if duplicates exist.") var noMerge = false

        func validate() throws {
            if mergeWith != nil && noMerge { throw ValidationError("give either --merge-with or --no-merge, not both") }
        }

        func run() throws {
            let session = try global.openForLeads()
            let lead = try session.database.lead(self.lead)
            let team = try team.map { try session.database.team($0) }
            let choice: Conversion.CustomerChoice
            switch customer?.lowercased() {
            case nil, "lead": choice = .lead
            case "none": choice = .none
            case let other?:
                guard let id = Int64(other) else { throw PipelineError.unknownOpportunity(other) }
                choice = .opportunity(Opportunity.ID(id))
            }
            var merge: [Opportunity.ID] = []
            if let mergeWith {
                for part in mergeWith.split(separator: ",") {
                    guard let id = Int64(part.trimmingCharacters(in: .whitespaces)) else { throw PipelineError.unknownOpportunity(String(part)) }
                    merge.append(Opportunity.ID(id))
                }
            } else if !noMerge {
                let duplicates = try session.database.duplicates(of: lead.id)
                if !duplicates.isEmpty {
                    throw PipelineError.duplicatesNeedDecision(lead: lead.id, duplicates: duplicates.map { "\($0.id) \($0.kind.rawValue) \($0.title)" })
                }
            }
            let converted = try session.database.convertLead(
                lead.id, Conversion(team: team?.id, salesperson: salesperson, customer: choice, mergeWith: merge),
                expectedVersion: lead.version, context: session.context())
            let stage = try converted.stage.flatMap { try session.database.pipeline(for: converted.team).stage($0) }
            let merged = merge.isEmpty ? "" : " (merged \(merge.count + 1) records)"
            Console.out("Converted lead \(lead.id) into opportunity \(converted.id) '\(converted.title)' in \(stage?.name ?? "?") "
                        + "(\(converted.probability?.description ?? ""))\(merged).")
        }
    }
}

extension GlobalOptions {
    /// Opens the database for a lead command, which answers that leads are off when they are.
    func openForLeads(writing: Bool = true) throws -> Session {
        let session = try open(forWriting: writing)
        guard try session.database.setting(.leads) == "on" else { throw PipelineError.leadsOff }
        return session
    }
}
