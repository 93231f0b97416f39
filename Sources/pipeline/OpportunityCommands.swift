import ArgumentParser
import PipelineCore
import PipelineStore

/// `pipeline opp …`: the deals in the pipeline.
struct OpportunityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "opp",
        abstract: "Add, list, show, edit, move, win, lose, restore, archive and delete opportunities.",
        discussion: "ID arguments take an opportunity's id or its title (ignoring case; a title several deals share is refused with their ids).",
        subcommands: [Add.self, List.self, Show.self, Edit.self, Move.self, Won.self, Lost.self, Restore.self, Archive.self, Delete.self])

    /// The fields `add` and `edit` share.
    struct Fields: ParsableArguments {
        @Option(help: ArgumentHelp("The customer's name.", valueName: "name")) var customer: String?
        @Option(help: ArgumentHelp("The contact person's name.", valueName: "name")) var contact: String?
        @Option(help: ArgumentHelp("The customer's e-mail address.", valueName: "address")) var email: String?
        @Option(help: ArgumentHelp("The customer's phone number.", valueName: "number")) var phone: String?
        // Unconditional: "-100" must reach validation (and be refused as data), not be taken for an option.
        @Option(parsing: .unconditional, help: ArgumentHelp("Expected revenue as you write it: 1,500,000.50 in English, 1.500.000,50 in Vietnamese.", valueName: "amount"))
        var revenue: String?
        @Option(help: ArgumentHelp("ISO 4217 currency code (default: the currency setting).", valueName: "code")) var currency: String?
        @Option(help: ArgumentHelp("The salesperson.", valueName: "name")) var salesperson: String?
        @Option(name: .customLong("close-date"), help: ArgumentHelp("Expected closing date (empty clears it).", valueName: "YYYY-MM-DD"))
        var closeDate: String?
        @Option(parsing: .unconditional, help: ArgumentHelp("Priority stars, 0 to 3.", valueName: "0-3")) var priority: String?
        @Option(parsing: .unconditional, help: ArgumentHelp("Probability set by hand, 0 to 100; it stays until the deal next enters a stage that sets it.", valueName: "percent"))
        var probability: String?
        @Option(name: .customLong("tag"), help: ArgumentHelp("A tag (repeat for several; on edit, replaces all).", valueName: "tag"))
        var tags: [String] = []
        @Option(help: ArgumentHelp("Notes (may span lines).", valueName: "text")) var notes: String?

        func form(title: String?) -> OpportunityForm {
            OpportunityForm(title: title, customer: customer, contact: contact, email: email, phone: phone,
                            expectedRevenue: revenue, currency: currency, probability: probability, salesperson: salesperson,
                            expectedClosing: closeDate, priority: priority, tags: tags.isEmpty ? nil : tags, notes: notes)
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add an opportunity.",
            discussion: "Without --stage it goes to the pipeline's first open, unfolded stage and takes that stage's probability.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The opportunity's title.") var title: String
        @OptionGroup var fields: Fields
        @Option(help: ArgumentHelp("The stage (id or name) in the team's pipeline.", valueName: "stage")) var stage: String?
        @Option(help: ArgumentHelp("The team (default: the team setting).", valueName: "team")) var team: String?

        func run() throws {
            let session = try global.open()
            let team = try session.team(team)
            let pipeline = try session.database.pipeline(for: team.id)
            let stage = try stage.map { try pipeline.resolveStage($0) }
            let changes = try fields.form(title: title).validated(language: session.language,
                                                                  currency: try session.database.defaultCurrency())
            let added = try session.database.addOpportunity(changes, team: team.id, stage: stage?.id, context: session.context())
            let stageName = added.stage.flatMap(pipeline.stage)?.name ?? "?"
            Console.out("Added opportunity \(added.id) '\(added.title)' to \(stageName) (\(added.probability?.description ?? "")), "
                        + "expected \(session.money(added.expectedRevenue)), weighted \(session.money(added.weightedRevenue)).")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List opportunities of every team, or of --team, in pipeline order.")
        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp("Only this stage (id or name).", valueName: "stage")) var stage: String?
        @Option(help: ArgumentHelp("Only this team.", valueName: "team")) var team: String?
        @Flag(help: "Include archived opportunities.") var archived = false
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let session = try global.open(forWriting: false)
            let catalog = try session.database.catalog()
            let team = try team.map { try session.database.team($0) }
            let stage = try stage.map { reference throws -> Stage in
                if let team { return try catalog.pipeline(for: team).resolveStage(reference) }
                return try catalog.resolveStage(reference)
            }
            let filter = OpportunityFilter(team: team?.id, stage: stage?.id, includeArchived: archived)
            let stageNames = Dictionary(uniqueKeysWithValues: catalog.stages.map { ($0.id, $0.name) })
            let teamNames = Dictionary(uniqueKeysWithValues: catalog.teams.map { ($0.id, $0.name) })
            if json {
                // Streamed: one object at a time, so memory does not grow with the database.
                var first = true
                Console.out("[")
                try session.database.forEachOpportunity(filter) { opportunity in
                    let object = Present.opportunity(opportunity, stageName: opportunity.stage.flatMap { stageNames[$0] },
                                                     teamName: teamNames[opportunity.team])
                    if !first { Console.out(",") }
                    Console.out("  " + object.rendered(indent: 1), terminator: "")
                    first = false
                }
                Console.out(first ? "]" : "\n]")
                return
            }
            var table = Table([
                // Amounts never shrink: a cut figure would be a wrong figure.
                .init("ID", max: 7, right: true), .init("TITLE", max: 32, min: 12), .init("CUSTOMER", max: 20, min: 8),
                .init("STAGE", max: 16, min: 8), .init("PROB", max: 7, right: true), .init("EXPECTED", max: 26, right: true),
                .init("WEIGHTED", max: 26, right: true), .init("TEAM", max: 12, min: 5),
            ])
            var count = 0
            try session.database.forEachOpportunity(filter) { opportunity in
                count += 1
                table.add([
                    String(opportunity.id.rawValue), opportunity.title + (opportunity.isActive ? "" : " (archived)"),
                    opportunity.customer.name, opportunity.stage.flatMap { stageNames[$0] } ?? "",
                    opportunity.probability?.description ?? "", session.money(opportunity.expectedRevenue),
                    session.money(opportunity.weightedRevenue), teamNames[opportunity.team] ?? "",
                ])
            }
            table.finish()
            if count == 0 { Console.out("No opportunities; add one with: pipeline opp add TITLE") }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show an opportunity with its stage history.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The opportunity (id or title).") var opportunity: String
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let session = try global.open(forWriting: false)
            let deal = try session.database.opportunity(opportunity)
            let catalog = try session.database.catalog()
            let history = try session.database.history(of: deal.id)
            let stageName = deal.stage.flatMap { catalog.stage($0)?.name }
            let teamName = catalog.team(deal.team)?.name
            if json {
                Console.out(Present.opportunity(deal, stageName: stageName, teamName: teamName, history: history).rendered())
                return
            }
            var lines = ["Opportunity \(deal.id): \(deal.title)\(deal.isActive ? "" : " (archived)")"]
            func field(_ label: String, _ value: String) {
                if !value.isEmpty { lines.append("  " + label.padding(toLength: 14, withPad: " ", startingAt: 0) + value) }
            }
            field("Customer:", deal.customer.name)
            field("Contact:", deal.customer.contactName)
            field("E-mail:", deal.customer.email)
            field("Phone:", deal.customer.phone)
            field("Team:", teamName ?? "")
            field("Stage:", stageName ?? "")
            field("Probability:", (deal.probability?.description ?? "") + (deal.probabilitySetByHand ? " (set by hand)" : ""))
            field("Expected:", session.money(deal.expectedRevenue))
            field("Weighted:", session.money(deal.weightedRevenue))
            field("Salesperson:", deal.salesperson)
            field("Priority:", String(repeating: "★", count: deal.priority.stars) + String(repeating: "☆", count: 3 - deal.priority.stars))
            field("Tags:", deal.tags.joined(separator: ", "))
            field("Closing:", deal.expectedClosing?.iso8601 ?? "")
            field("Lost reason:", deal.lostReason ?? "")
            field("Created:", deal.createdAt.iso8601)
            field("Updated:", deal.updatedAt.iso8601)
            if !deal.notes.isEmpty {
                lines.append("  Notes:")
                lines += deal.notes.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }
            }
            lines.append("History:")
            for entry in history {
                let from = entry.fromName.map { "\($0) → " } ?? "→ "
                lines.append("  \(entry.change.at.iso8601)  \(from)\(entry.toName ?? "(removed stage)")  by \(entry.change.by)")
            }
            for line in lines { Console.out(line) }
        }
    }

    struct Edit: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change an opportunity's fields; --stage moves it, --team moves it to another team's pipeline.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The opportunity (id or title).") var opportunity: String
        @Option(help: ArgumentHelp("A new title.", valueName: "title")) var title: String?
        @OptionGroup var fields: Fields
        @Option(help: ArgumentHelp("Move it to this stage (id or name).", valueName: "stage")) var stage: String?
        @Option(help: ArgumentHelp("Move it to this team's pipeline.", valueName: "team")) var team: String?

        func run() throws {
            let session = try global.open()
            let deal = try session.database.opportunity(opportunity)
            let team = try team.map { try session.database.team($0) }
            let pipeline = try session.database.pipeline(for: team?.id ?? deal.team)
            let stage = try stage.map { try pipeline.resolveStage($0) }
            let form = fields.form(title: title)
            let changes = try form.validated(language: session.language, currency: deal.expectedRevenue.currency)
            let edited = try session.database.editOpportunity(deal.id, changes, team: team?.id, stage: stage?.id,
                                                              expectedVersion: deal.version, context: session.context())
            Console.out("Updated opportunity \(edited.id) '\(edited.title)': \(edited.stage.flatMap(pipeline.stage)?.name ?? "?") "
                        + "(\(edited.probability?.description ?? "")), expected \(session.money(edited.expectedRevenue)).")
        }
    }

    struct Move: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move an opportunity to a stage; the stage's probability rule applies.",
            discussion: "It goes to the top of the column unless --bottom, --before or --after say otherwise; with the stage it is already in, this only reorders.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The opportunity (id or title).") var opportunity: String
        @Option(help: ArgumentHelp("The stage (id or name) in its team's pipeline.", valueName: "stage")) var to: String
        @Flag(help: "Put it at the bottom of the column.") var bottom = false
        @Option(help: ArgumentHelp("Put it just above this opportunity.", valueName: "id")) var before: String?
        @Option(help: ArgumentHelp("Put it just below this opportunity.", valueName: "id")) var after: String?

        func run() throws {
            let session = try global.open()
            let deal = try session.database.opportunity(opportunity)
            let pipeline = try session.database.pipeline(for: deal.team)
            let stage = try pipeline.resolveStage(to)
            var placement = CardPlacement.top
            if bottom { placement = .bottom }
            if let before { placement = .before(try session.database.opportunity(before).id) }
            if let after { placement = .after(try session.database.opportunity(after).id) }
            let moved = try session.database.moveOpportunity(deal.id, to: stage.id, placement: placement,
                                                             expectedVersion: deal.version, context: session.context())
            Console.out("Moved opportunity \(moved.id) '\(moved.title)' to \(stage.name): probability \(moved.probability?.description ?? ""), "
                        + "weighted \(session.money(moved.weightedRevenue)).")
        }
    }

    struct Won: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Mark an opportunity won: to the pipeline's first won stage, at 100%.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The opportunity (id or title).") var opportunity: String

        func run() throws {
            let session = try global.open()
            let deal = try session.database.opportunity(opportunity)
            let won = try session.database.markWon(deal.id, expectedVersion: deal.version, context: session.context())
            Console.out("Won opportunity \(won.id) '\(won.title)': \(session.money(won.expectedRevenue)).")
        }
    }

    struct Lost: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Mark an opportunity lost, with a reason.",
            discussion: "It goes to the pipeline's first lost stage at 0%; without a lost stage it is archived at 0%.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The opportunity (id or title).") var opportunity: String
        @Option(help: ArgumentHelp("Why it was lost (required).", valueName: "text")) var reason: String

        func run() throws {
            let session = try global.open()
            let deal = try session.database.opportunity(opportunity)
            let lost = try session.database.markLost(deal.id, reason: reason, expectedVersion: deal.version, context: session.context())
            Console.out("Lost opportunity \(lost.id) '\(lost.title)'\(lost.isActive ? "" : " (archived)"): \(lost.lostReason ?? "").")
        }
    }

    struct Restore: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Restore a lost, won or archived opportunity to the stage it was in before.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The opportunity (id or title).") var opportunity: String

        func run() throws {
            let session = try global.open()
            let deal = try session.database.opportunity(opportunity)
            let restored = try session.database.restore(deal.id, expectedVersion: deal.version, context: session.context())
            let stage = try restored.stage.flatMap { try session.database.pipeline(for: restored.team).stage($0) }
            Console.out("Restored opportunity \(restored.id) '\(restored.title)' to \(stage?.name ?? "?") (\(restored.probability?.description ?? "")).")
        }
    }

    struct Archive: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Archive an opportunity: off the board and the open pipeline, kept in its stage.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The opportunity (id or title).") var opportunity: String

        func run() throws {
            let session = try global.open()
            let deal = try session.database.opportunity(opportunity)
            let archived = try session.database.archive(deal.id, expectedVersion: deal.version, context: session.context())
            Console.out("Archived opportunity \(archived.id) '\(archived.title)'.")
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete an opportunity and its history for good.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The opportunity (id or title).") var opportunity: String

        func run() throws {
            let session = try global.open()
            let deal = try session.database.opportunity(opportunity)
            try session.database.deleteOpportunity(deal.id, expectedVersion: deal.version)
            Console.out("Deleted opportunity \(deal.id) '\(deal.title)'.")
        }
    }
}
