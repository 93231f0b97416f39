import ArgumentParser
import Foundation
import PipelineCore
import PipelineExchange
import PipelineEngines
import PipelineStorage

/// `pipeline lead …`: the qualification step before the pipeline (when leads are on).
struct LeadCommand: ParsableCommand {
    static var configuration: CommandConfiguration { CommandConfiguration(
        commandName: "lead",
        abstract: localized("cli.lead.addListEditLoseRestore"),
        discussion: localized("cli.lead.idArgumentsTakeALead"),
        subcommands: [Add.self, List.self, Show.self, Edit.self, Lost.self, Restore.self, Duplicates.self, Convert.self]) }

    /// The fields `add` and `edit` share.
    struct Fields: ParsableArguments {
        @Option(help: ArgumentHelp(localized("cli.option.contact"), valueName: "name")) var contact: String?
        @Option(help: ArgumentHelp(localized("cli.lead.theCompanySName"), valueName: "name")) var company: String?
        @Option(help: ArgumentHelp(localized("cli.lead.eMailAddress"), valueName: "address")) var email: String?
        @Option(help: ArgumentHelp(localized("cli.lead.phoneNumber"), valueName: "number")) var phone: String?
        @Option(parsing: .unconditional, help: ArgumentHelp(localized("cli.option.revenue"), valueName: "amount"))
        var revenue: String?
        @Option(help: ArgumentHelp(localized("cli.option.currency"), valueName: "code")) var currency: String?
        @Option(help: ArgumentHelp(localized("cli.option.salesperson"), valueName: "name")) var salesperson: String?
        @Option(parsing: .unconditional, help: ArgumentHelp(localized("cli.option.priority"), valueName: "0-3")) var priority: String?
        @Option(name: .customLong("tag"), help: ArgumentHelp(localized("cli.option.tag"), valueName: "tag"))
        var tags: [String] = []
        @Option(help: ArgumentHelp(localized("cli.option.notes"), valueName: "text")) var notes: String?

        func form(title: String?) -> OpportunityForm {
            OpportunityForm(title: title, customer: company, contact: contact, email: email, phone: phone, expectedRevenue: revenue,
                            currency: currency, salesperson: salesperson, priority: priority, tags: tags.isEmpty ? nil : tags, notes: notes)
        }
    }

    struct Add: ParsableCommand {
        static var configuration: CommandConfiguration { CommandConfiguration(abstract: localized("cli.lead.addALead")) }
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp(localized("cli.lead.theLeadSTitle"))) var title: String
        @OptionGroup var fields: Fields
        @Option(help: ArgumentHelp(localized("cli.option.team"), valueName: "team")) var team: String?

        func run() throws {
            let session = try global.openForLeads()
            let team = try session.team(team)
            let changes = try fields.form(title: title).validated(language: session.language, currency: try session.database.defaultCurrency())
            let lead = try session.database.addLead(changes, team: team.id, context: session.context())
            Console.out(localized("cli.lead.addedLeadTo", lead.id, lead.title, team.name))
        }
    }

    struct List: ParsableCommand {
        static var configuration: CommandConfiguration { CommandConfiguration(abstract: localized("cli.lead.listLeadsNewestFirstOr")) }
        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp(localized("cli.lead.onlyThisTeamSLeads"), valueName: "team")) var team: String?
        @Option(help: ArgumentHelp(localized("cli.lead.orderDateDefaultPriorityOr"), valueName: "date|priority|revenue")) var sort: String?
        @Flag(help: ArgumentHelp(localized("cli.lead.includeLostLeads"))) var lost = false
        @Flag(help: ArgumentHelp(localized("cli.option.json"))) var json = false

        func run() throws {
            let session = try global.openForLeads(writing: false)
            let team = try team.map { try session.team(option: $0) }
            guard let order = LeadOrder(rawValue: (sort ?? "date").lowercased()) else {
                throw ValidationError(localized("cli.lead.sortIsNotAnOrder", sort ?? ""))
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
                .init(localized("cli.column.id"), max: 7, right: true), .init(localized("cli.column.title"), max: 28, min: 10), .init(localized("cli.column.company"), max: 20, min: 8),
                .init(localized("cli.column.contact"), max: 16, min: 6), .init(localized("cli.column.email"), max: 24, min: 8), .init(localized("cli.column.revenue"), max: 26, right: true),
                .init(localized("cli.column.salesperson"), max: 10, min: 4), .init(localized("cli.column.priority"), max: 3),
            ])
            var count = 0
            try session.database.forEachLead(query) { lead in
                count += 1
                table.add([String(lead.id.rawValue), lead.title + (lead.isActive ? "" : localized("cli.lead.lostShort")), lead.customer.name,
                           lead.customer.contactName, lead.customer.email, session.money(lead.expectedRevenue),
                           lead.salesperson, String(repeating: "★", count: lead.priority.stars)])
            }
            table.finish()
            if count == 0 { Console.out(localized("cli.lead.noLeadsAddOneWith")) }
        }
    }

    struct Show: ParsableCommand {
        static var configuration: CommandConfiguration { CommandConfiguration(abstract: localized("cli.lead.showALead")) }
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp(localized("cli.lead.theLeadIdOrTitle"))) var lead: String
        @Flag(help: ArgumentHelp(localized("cli.option.json"))) var json = false

        func run() throws {
            let session = try global.openForLeads(writing: false)
            let lead = try session.database.lead(self.lead)
            let teamName = try session.database.teams().first { $0.id == lead.team }?.name
            if json {
                Console.out(Present.lead(lead, teamName: teamName).rendered())
                return
            }
            let state = lead.isActive ? "" : localized("cli.lead.lostMark", lead.lostReason ?? "")
            var lines = [localized("cli.lead.lead", lead.id, lead.title, state)]
            let fields = [
                ("cli.label.company", lead.customer.name), ("cli.label.contact", lead.customer.contactName), ("cli.label.email", lead.customer.email),
                ("cli.label.phone", lead.customer.phone), ("cli.label.team", teamName ?? ""), ("cli.label.revenue", session.money(lead.expectedRevenue)),
                ("cli.label.salesperson", lead.salesperson), ("cli.label.priority", String(repeating: "★", count: lead.priority.stars)),
                ("cli.label.tags", lead.tags.joined(separator: ", ")), ("cli.label.created", lead.createdAt.display(in: session.language)),
            ]
            for (key, value) in fields where !value.isEmpty {
                lines.append("  " + Table.padded(localized(key), to: 16) + value)
            }
            if !lead.notes.isEmpty { lines.append(localized("cli.label.notes")); lines += lead.notes.split(separator: "\n").map { "    " + $0 } }
            for line in lines { Console.out(line) }
        }
    }

    struct Edit: ParsableCommand {
        static var configuration: CommandConfiguration { CommandConfiguration(abstract: localized("cli.lead.changeALeadSFields")) }
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp(localized("cli.lead.theLeadIdOrTitle"))) var lead: String
        @Option(help: ArgumentHelp(localized("cli.option.newTitle"), valueName: "title")) var title: String?
        @OptionGroup var fields: Fields
        @Option(help: ArgumentHelp(localized("cli.lead.moveItToThisTeam"), valueName: "team")) var team: String?

        func run() throws {
            let session = try global.openForLeads()
            let context = session.context()
            // Read and written in one transaction: a colleague's write can only make it wait.
            let edited = try session.database.inOneTransaction { store in
                let lead = try store.lead(self.lead)
                let team = try team.map { try store.team($0) }
                let changes = try fields.form(title: title).validated(language: session.language, currency: lead.expectedRevenue.currency)
                return try store.editLead(lead.id, changes, team: team?.id, context: context)
            }
            Console.out(localized("cli.lead.updatedLead", edited.id, edited.title))
        }
    }

    struct Lost: ParsableCommand {
        static var configuration: CommandConfiguration { CommandConfiguration(abstract: localized("cli.lead.markALeadLostArchived")) }
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp(localized("cli.lead.theLeadIdOrTitle"))) var lead: String
        @Option(help: ArgumentHelp(localized("cli.option.lostReason"), valueName: "text")) var reason: String

        func run() throws {
            let session = try global.openForLeads()
            let context = session.context()
            let lost = try session.database.inOneTransaction { store in
                try store.markLeadLost(try store.lead(self.lead).id, reason: reason, context: context)
            }
            Console.out(localized("cli.lead.lostLead", lost.id, lost.title, lost.lostReason ?? ""))
        }
    }

    struct Restore: ParsableCommand {
        static var configuration: CommandConfiguration { CommandConfiguration(abstract: localized("cli.lead.bringALostLeadBack")) }
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp(localized("cli.lead.theLeadIdOrTitle"))) var lead: String

        func run() throws {
            let session = try global.openForLeads()
            let context = session.context()
            let restored = try session.database.inOneTransaction { store in
                try store.restoreLead(try store.lead(self.lead).id, context: context)
            }
            Console.out(localized("cli.lead.restoredLead", restored.id, restored.title))
        }
    }

    struct Duplicates: ParsableCommand {
        static var configuration: CommandConfiguration { CommandConfiguration(
            abstract: localized("cli.lead.listALeadSPossible"),
            discussion: localized("cli.lead.activeOrLostLeadsAnd")) }
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp(localized("cli.lead.theLeadIdOrTitle"))) var lead: String
        @Flag(help: ArgumentHelp(localized("cli.option.json"))) var json = false

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
            if duplicates.isEmpty { Console.out(localized("cli.lead.leadHasNoPossibleDuplicates", lead.id)); return }
            var table = Table([.init(localized("cli.column.id"), max: 7, right: true), .init(localized("cli.column.type"), max: 11), .init(localized("cli.column.title"), max: 28, min: 10),
                               .init(localized("cli.column.stage"), max: 14, min: 6), .init(localized("cli.column.revenue"), max: 26, right: true), .init(localized("cli.column.match"), max: 20, min: 6)])
            for record in duplicates {
                table.add([String(record.id.rawValue), record.kind.name(in: session.language) + (record.isActive ? "" : localized("cli.lead.lostShort")), record.title,
                           record.stage.flatMap { catalog.stage($0)?.name } ?? "", session.money(record.expectedRevenue),
                           Self.reason(record, lead)])
            }
            table.finish()
        }

        static func reason(_ record: Opportunity, _ lead: Opportunity) -> String {
            if let email = DuplicateRule.emailKey(lead.customer.email), email == DuplicateRule.emailKey(record.customer.email) {
                return localized("cli.lead.match.email")
            }
            if let company = DuplicateRule.nameKey(lead.customer.name), company == DuplicateRule.nameKey(record.customer.name) {
                return localized("cli.lead.match.company")
            }
            return localized("cli.lead.match.contact")
        }
    }

    struct Convert: ParsableCommand {
        static var configuration: CommandConfiguration { CommandConfiguration(
            abstract: localized("cli.lead.convertALeadIntoAn"),
            discussion: localized("cli.lead.itGoesToTheTeam")) }
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp(localized("cli.lead.theLeadIdOrTitle"))) var lead: String
        @Option(help: ArgumentHelp(localized("cli.lead.theTeamWhosePipelineIt"), valueName: "team")) var team: String?
        @Option(help: ArgumentHelp(localized("cli.lead.theSalespersonDefaultTheLead"), valueName: "name")) var salesperson: String?
        @Option(help: ArgumentHelp(localized("cli.lead.customerFieldsTheLeadS"), valueName: "lead|ID|none"))
        var customer: String?
        @Option(name: .customLong("merge-with"), help: ArgumentHelp(localized("cli.lead.recordsToMergeWithIt"), valueName: "ID,ID")) var mergeWith: String?
        @Flag(name: .customLong("no-merge"), help: ArgumentHelp(localized("cli.lead.convertItAloneEvenIf"))) var noMerge = false

        func validate() throws {
            if mergeWith != nil && noMerge { throw ValidationError(localized("cli.lead.giveEitherMergeWithOr")) }
        }

        func run() throws {
            let session = try global.openForLeads()
            let context = session.context()
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
            }
            // The duplicates are looked for, and the lead converted, in one transaction: one
            // that appears meanwhile cannot be merged or left out by surprise.
            let (lead, converted, stage) = try session.database.inOneTransaction { store in
                let lead = try store.lead(self.lead)
                let team = try team.map { try store.team($0) }
                if mergeWith == nil, !noMerge {
                    let duplicates = try store.duplicates(of: lead.id)
                    if !duplicates.isEmpty {
                        throw PipelineError.duplicatesNeedDecision(
                            lead: lead.id, duplicates: duplicates.map { RecordMention(id: $0.id, kind: $0.kind, title: $0.title) })
                    }
                }
                let converted = try store.convertLead(
                    lead.id, Conversion(team: team?.id, salesperson: salesperson, customer: choice, mergeWith: merge), context: context)
                return (lead, converted, try converted.stage.flatMap { try store.pipeline(for: converted.team).stage($0) })
            }
            let merged = merge.isEmpty ? "" : localized("done.merged", merge.count + 1)
            Console.out(localized("cli.lead.convertedLeadIntoOpportunityIn", lead.id, converted.id, converted.title, stage?.name ?? "?", converted.probability?.description ?? "", merged))
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
