import ArgumentParser
import PipelineCore
import PipelineEngines
import PipelineExchange
import PipelineStorage

/// `pipeline opp …`: the deals in the pipeline.
struct OpportunityCommand: ParsableCommand {
    static var configuration: CommandConfiguration { CommandConfiguration(
        commandName: "opp",
        abstract: localized("cli.opp.addListShowEditMove"),
        discussion: localized("cli.opp.idArgumentsTakeAnOpportunity"),
        subcommands: [Add.self, List.self, Show.self, Edit.self, Move.self, Won.self, Lost.self, Restore.self, Archive.self, Delete.self,
                      NoteCommand.self]) }

    /// The fields `add` and `edit` share.
    struct Fields: ParsableArguments {
        @Option(help: ArgumentHelp(localized("cli.opp.theCustomerSName"), valueName: "name")) var customer: String?
        @Option(help: ArgumentHelp(localized("cli.option.contact"), valueName: "name")) var contact: String?
        @Option(help: ArgumentHelp(localized("cli.opp.theCustomerSEMail"), valueName: "address")) var email: String?
        @Option(help: ArgumentHelp(localized("cli.opp.theCustomerSPhoneNumber"), valueName: "number")) var phone: String?
        // Unconditional: "-100" must reach validation (and be refused as data), not be taken for an option.
        @Option(parsing: .unconditional, help: ArgumentHelp(localized("cli.option.revenue"), valueName: "amount"))
        var revenue: String?
        @Option(help: ArgumentHelp(localized("cli.option.currency"), valueName: "code")) var currency: String?
        @Option(help: ArgumentHelp(localized("cli.option.salesperson"), valueName: "name")) var salesperson: String?
        @Option(name: .customLong("close-date"), help: ArgumentHelp(localized("cli.opp.expectedClosingDateEmptyClears"), valueName: "YYYY-MM-DD"))
        var closeDate: String?
        @Option(parsing: .unconditional, help: ArgumentHelp(localized("cli.option.priority"), valueName: "0-3")) var priority: String?
        @Option(parsing: .unconditional, help: ArgumentHelp(localized("cli.opp.probabilitySetByHandTo"), valueName: "percent"))
        var probability: String?
        @Option(name: .customLong("tag"), help: ArgumentHelp(localized("cli.option.tag"), valueName: "tag"))
        var tags: [String] = []
        @Option(help: ArgumentHelp(localized("cli.option.notes"), valueName: "text")) var notes: String?

        func form(title: String?) -> OpportunityForm {
            OpportunityForm(title: title, customer: customer, contact: contact, email: email, phone: phone,
                            expectedRevenue: revenue, currency: currency, probability: probability, salesperson: salesperson,
                            expectedClosing: closeDate, priority: priority, tags: tags.isEmpty ? nil : tags, notes: notes)
        }
    }

    struct Add: ParsableCommand {
        static var configuration: CommandConfiguration { CommandConfiguration(
            abstract: localized("cli.opp.addAnOpportunity"),
            discussion: localized("cli.opp.withoutStageItGoesTo")) }
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp(localized("cli.opp.theOpportunitySTitle"))) var title: String
        @OptionGroup var fields: Fields
        @Option(help: ArgumentHelp(localized("cli.opp.option.stage"), valueName: "stage")) var stage: String?
        @Option(help: ArgumentHelp(localized("cli.option.team"), valueName: "team")) var team: String?

        func run() throws {
            let session = try global.open()
            let team = try session.team(team)
            let pipeline = try session.database.pipeline(for: team.id)
            let stage = try stage.map { try pipeline.resolveStage($0) }
            let changes = try fields.form(title: title).validated(language: session.language,
                                                                  currency: try session.database.defaultCurrency())
            let added = try session.database.addOpportunity(changes, team: team.id, stage: stage?.id, context: session.context())
            let stageName = added.stage.flatMap(pipeline.stage)?.name ?? "?"
            Console.out(localized("cli.opp.addedOpportunityToExpectedWeighted", added.id, added.title, stageName, added.probability?.description ?? "", session.money(added.expectedRevenue), session.money(added.weightedRevenue)))
        }
    }

    struct List: ParsableCommand {
        static var configuration: CommandConfiguration { CommandConfiguration(abstract: localized("cli.opp.listOpportunitiesOfEveryTeam")) }
        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp(localized("cli.opp.onlyThisStageIdOr"), valueName: "stage")) var stage: String?
        @Option(help: ArgumentHelp(localized("cli.opp.onlyThisTeam"), valueName: "team")) var team: String?
        @Flag(help: ArgumentHelp(localized("cli.opp.includeArchivedOpportunities"))) var archived = false
        @Flag(help: ArgumentHelp(localized("cli.opp.option.mine"))) var mine = false
        @Option(help: ArgumentHelp(localized("cli.opp.option.user"), valueName: "user")) var user: String?
        @Flag(help: ArgumentHelp(localized("cli.opp.option.rotting"))) var rotting = false
        @Flag(help: ArgumentHelp(localized("cli.option.json"))) var json = false

        func validate() throws {
            if mine, user != nil { throw ValidationError(localized("cli.opp.mineOrUser")) }
        }

        func run() throws {
            let session = try global.open(forWriting: false)
            let salesperson = try user.map { try TextInput.singleLine($0, field: .salesperson) } ?? (mine ? session.user : nil)
            let rottingDay = rotting ? RottingDay(today: session.today, utcOffsetSeconds: session.utcOffsetSeconds) : nil
            let catalog = try session.database.catalog()
            let team = try team.map { try session.team(option: $0) }
            let stage = try stage.map { reference throws -> Stage in
                if let team { return try catalog.pipeline(for: team).resolveStage(reference) }
                return try catalog.resolveStage(reference)
            }
            let filter = OpportunityFilter(team: team?.id, stage: stage?.id, includeArchived: archived, salesperson: salesperson,
                                           rotting: rottingDay)
            let stageNames = Dictionary(uniqueKeysWithValues: catalog.stages.map { ($0.id, $0.name) })
            let teamNames = Dictionary(uniqueKeysWithValues: catalog.teams.map { ($0.id, $0.name) })
            if json {
                // Held until 1 MB, then streamed one object at a time, so memory does not grow
                // with the database: a listing that fails (a damaged row, a lost server) writes
                // nothing to standard output unless it had already passed 1 MB, and then what
                // was written is an array never closed, which no JSON reader takes for a result.
                var first = true
                var pending = "[\n"
                func emit(_ text: String) {
                    pending += text
                    if pending.utf8.count >= 1 << 20 {
                        Console.out(pending, terminator: "")
                        pending = ""
                    }
                }
                try session.database.forEachOpportunity(filter) { opportunity in
                    let object = Present.opportunity(opportunity, stageName: opportunity.stage.flatMap { stageNames[$0] },
                                                     teamName: teamNames[opportunity.team])
                    if !first { emit(",\n") }
                    emit("  " + object.rendered(indent: 1))
                    first = false
                }
                Console.out(pending + (first ? "]" : "\n]"))
                return
            }
            var table = Table([
                // Amounts never shrink: a cut figure would be a wrong figure.
                .init(localized("cli.column.id"), max: 7, right: true), .init(localized("cli.column.title"), max: 32, min: 12), .init(localized("cli.column.customer"), max: 20, min: 8),
                .init(localized("cli.column.stage"), max: 16, min: 8), .init(localized("cli.column.probability"), max: 7, right: true), .init(localized("cli.column.expected"), max: 26, right: true),
                .init(localized("cli.column.weighted"), max: 26, right: true), .init(localized("cli.column.team"), max: 12, min: 5),
            ])
            var count = 0
            try session.database.forEachOpportunity(filter) { opportunity in
                count += 1
                table.add([
                    String(opportunity.id.rawValue), opportunity.title + (opportunity.isActive ? "" : localized("cli.archivedMark")),
                    opportunity.customer.name, opportunity.stage.flatMap { stageNames[$0] } ?? "",
                    opportunity.probability?.description ?? "", session.money(opportunity.expectedRevenue),
                    session.money(opportunity.weightedRevenue), teamNames[opportunity.team] ?? "",
                ])
            }
            // With --rotting an empty list is good news, said in one sentence (no empty table).
            if count == 0, rotting {
                Console.out(localized("cli.opp.noneRotting"))
                return
            }
            table.finish()
            if count == 0 { Console.out(localized("cli.opp.noOpportunitiesAddOneWith")) }
        }
    }

    struct Show: ParsableCommand {
        static var configuration: CommandConfiguration { CommandConfiguration(abstract: localized("cli.opp.showAnOpportunityWithIts")) }
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp(localized("cli.opp.theOpportunityIdOrTitle"))) var opportunity: String
        @Flag(help: ArgumentHelp(localized("cli.option.json"))) var json = false

        func run() throws {
            let session = try global.open(forWriting: false)
            let today = session.today
            // The deal, its activities, notes, history and timeline from one snapshot.
            let (page, catalog) = try session.database.readingTogether {
                let deal = try session.database.opportunity(opportunity)
                return (try session.database.dealPage(of: deal.id), try session.database.catalog())
            }
            let deal = page.record
            let stageName = deal.stage.flatMap { catalog.stage($0)?.name }
            let teamName = catalog.team(deal.team)?.name
            let activities = ActivityOutput(session: session, types: page.activityTypes, today: today)
            if json {
                guard case .object(var members) = Present.opportunity(deal, stageName: stageName, teamName: teamName, history: page.history)
                else { return }
                members.append(("activities", .array(page.activities.map { activities.json($0, deal: deal) })))
                members.append(("timeline", .array(page.timeline.map(Present.timelineEntry))))
                Console.out(JSONValue.object(members).rendered())
                return
            }
            var lines = [localized("cli.opp.opportunity", deal.id, deal.title, deal.isActive ? "" : localized("cli.archivedMark"))]
            func field(_ label: String, _ value: String) {
                if !value.isEmpty { lines.append("  " + Table.padded(label, to: 16) + value) }
            }
            field(localized("cli.label.customer"), deal.customer.name)
            field(localized("cli.label.contact"), deal.customer.contactName)
            field(localized("cli.label.email"), deal.customer.email)
            field(localized("cli.label.phone"), deal.customer.phone)
            field(localized("cli.label.team"), teamName ?? "")
            field(localized("cli.label.stage"), stageName ?? "")
            field(localized("cli.label.probability"), (deal.probability?.description ?? "") + (deal.probabilitySetByHand ? localized("cli.opp.setByHand") : ""))
            field(localized("cli.label.expected"), session.money(deal.expectedRevenue))
            field(localized("cli.label.weighted"), session.money(deal.weightedRevenue))
            field(localized("cli.label.salesperson"), deal.salesperson)
            field(localized("cli.label.priority"), String(repeating: "★", count: deal.priority.stars) + String(repeating: "☆", count: 3 - deal.priority.stars))
            field(localized("cli.label.tags"), deal.tags.joined(separator: ", "))
            field(localized("cli.label.closing"), deal.expectedClosing?.display(in: session.language) ?? "")
            field(localized("cli.label.lostReason"), deal.lostReason ?? "")
            field(localized("cli.label.created"), session.localTime(deal.createdAt))
            field(localized("cli.label.updated"), session.localTime(deal.updatedAt))
            if !deal.notes.isEmpty {
                lines.append(localized("cli.label.notes"))
                lines += deal.notes.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }
            }
            // Planned first (by due date), then done (newest first): the store's order.
            let planned = page.activities.filter { !$0.isDone }
            let done = page.activities.filter(\.isDone)
            lines.append(localized("cli.label.plannedActivities"))
            if planned.isEmpty { lines.append("    " + localized("cli.opp.noPlannedActivity")) }
            for activity in planned {
                lines.append(localized("cli.opp.plannedActivity", activity.id, activities.state(activity),
                                       activity.due.display(in: session.language) + (activity.time.map { " \($0)" } ?? ""),
                                       activities.typeName(activity.type), activity.summary,
                                       activity.assignedTo.isEmpty ? localized("cli.activity.nobody") : activity.assignedTo))
            }
            if !done.isEmpty {
                lines.append(localized("cli.label.doneActivities"))
                for activity in done {
                    lines.append(localized("cli.opp.doneActivity", activity.id, activity.completion.map { session.localTime($0.at) } ?? "",
                                           activities.typeName(activity.type), activity.summary, activity.completion?.by ?? ""))
                }
            }
            lines.append(localized("cli.label.timeline"))
            for entry in page.timeline {
                let text = TimelineText(session: session).describe(entry.kind)
                let body = text.split(separator: "\n", omittingEmptySubsequences: false)
                lines.append(localized("cli.opp.timelineEntry", session.localTime(entry.at), body.first.map(String.init) ?? "", entry.by))
                lines += body.dropFirst().map { "      " + $0 }
            }
            for line in lines { Console.out(line) }
        }
    }

    struct Edit: ParsableCommand {
        static var configuration: CommandConfiguration { CommandConfiguration(
            abstract: localized("cli.opp.changeAnOpportunitySFields")) }
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp(localized("cli.opp.theOpportunityIdOrTitle"))) var opportunity: String
        @Option(help: ArgumentHelp(localized("cli.option.newTitle"), valueName: "title")) var title: String?
        @OptionGroup var fields: Fields
        @Option(help: ArgumentHelp(localized("cli.opp.moveItToThisStage"), valueName: "stage")) var stage: String?
        @Option(help: ArgumentHelp(localized("cli.opp.moveItToThisTeam"), valueName: "team")) var team: String?

        func run() throws {
            let session = try global.open()
            let context = session.context()
            // What the user named is read, and the change written, in one transaction: a
            // colleague's write at the same moment can only make this wait.
            let (edited, pipeline) = try session.database.inOneTransaction { store in
                let deal = try store.opportunity(opportunity)
                let team = try team.map { try store.team($0) }
                let pipeline = try store.pipeline(for: team?.id ?? deal.team)
                let stage = try stage.map { try pipeline.resolveStage($0) }
                let changes = try fields.form(title: title).validated(language: session.language, currency: deal.expectedRevenue.currency)
                return (try store.editOpportunity(deal.id, changes, team: team?.id, stage: stage?.id, context: context), pipeline)
            }
            Console.out(localized("cli.opp.updatedOpportunityExpected", edited.id, edited.title, edited.stage.flatMap(pipeline.stage)?.name ?? "?", edited.probability?.description ?? "", session.money(edited.expectedRevenue)))
        }
    }

    struct Move: ParsableCommand {
        static var configuration: CommandConfiguration { CommandConfiguration(
            abstract: localized("cli.opp.moveAnOpportunityToA"),
            discussion: localized("cli.opp.itGoesToTheTop")) }
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp(localized("cli.opp.theOpportunityIdOrTitle"))) var opportunity: String
        @Option(help: ArgumentHelp(localized("cli.opp.option.moveTo"), valueName: "stage")) var to: String
        @Flag(help: ArgumentHelp(localized("cli.opp.putItAtTheBottom"))) var bottom = false
        @Option(help: ArgumentHelp(localized("cli.opp.putItJustAboveThis"), valueName: "id")) var before: String?
        @Option(help: ArgumentHelp(localized("cli.opp.putItJustBelowThis"), valueName: "id")) var after: String?

        func run() throws {
            let session = try global.open()
            let context = session.context()
            let (moved, stage) = try session.database.inOneTransaction { store in
                let deal = try store.opportunity(opportunity)
                let stage = try store.pipeline(for: deal.team).resolveStage(to)
                var placement = CardPlacement.top
                if bottom { placement = .bottom }
                if let before { placement = .before(try store.opportunity(before).id) }
                if let after { placement = .after(try store.opportunity(after).id) }
                return (try store.moveOpportunity(deal.id, to: stage.id, placement: placement, context: context), stage)
            }
            Console.out(localized("cli.opp.movedOpportunityToProbabilityWeighted", moved.id, moved.title, stage.name, moved.probability?.description ?? "", session.money(moved.weightedRevenue)))
        }
    }

    struct Won: ParsableCommand {
        static var configuration: CommandConfiguration { CommandConfiguration(abstract: localized("cli.opp.markAnOpportunityWonTo")) }
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp(localized("cli.opp.theOpportunityIdOrTitle"))) var opportunity: String

        func run() throws {
            let session = try global.open()
            let context = session.context()
            let won = try session.database.inOneTransaction { store in try store.markWon(store.opportunity(opportunity).id, context: context) }
            Console.out(localized("cli.opp.wonOpportunity", won.id, won.title, session.money(won.expectedRevenue)))
        }
    }

    struct Lost: ParsableCommand {
        static var configuration: CommandConfiguration { CommandConfiguration(
            abstract: localized("cli.opp.markAnOpportunityLostWith"),
            discussion: localized("cli.opp.itGoesToThePipeline")) }
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp(localized("cli.opp.theOpportunityIdOrTitle"))) var opportunity: String
        @Option(help: ArgumentHelp(localized("cli.option.lostReason"), valueName: "text")) var reason: String

        func run() throws {
            let session = try global.open()
            let context = session.context()
            let lost = try session.database.inOneTransaction { store in try store.markLost(store.opportunity(opportunity).id, reason: reason, context: context) }
            Console.out(localized("cli.opp.lostOpportunity", lost.id, lost.title, lost.isActive ? "" : localized("cli.archivedMark"), lost.lostReason ?? ""))
        }
    }

    struct Restore: ParsableCommand {
        static var configuration: CommandConfiguration { CommandConfiguration(
            abstract: localized("cli.opp.restoreALostWonOr")) }
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp(localized("cli.opp.theOpportunityIdOrTitle"))) var opportunity: String

        func run() throws {
            let session = try global.open()
            let context = session.context()
            let (restored, stage) = try session.database.inOneTransaction { store in
                let restored = try store.restore(try store.opportunity(opportunity).id, context: context)
                return (restored, try restored.stage.flatMap { try store.pipeline(for: restored.team).stage($0) })
            }
            Console.out(localized("cli.opp.restoredOpportunityTo", restored.id, restored.title, stage?.name ?? "?", restored.probability?.description ?? ""))
        }
    }

    struct Archive: ParsableCommand {
        static var configuration: CommandConfiguration { CommandConfiguration(abstract: localized("cli.opp.archiveAnOpportunityOffThe")) }
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp(localized("cli.opp.theOpportunityIdOrTitle"))) var opportunity: String

        func run() throws {
            let session = try global.open()
            let context = session.context()
            let archived = try session.database.inOneTransaction { store in try store.archive(store.opportunity(opportunity).id, context: context) }
            Console.out(localized("cli.opp.archivedOpportunity", archived.id, archived.title))
        }
    }

    struct Delete: ParsableCommand {
        static var configuration: CommandConfiguration { CommandConfiguration(abstract: localized("cli.opp.deleteAnOpportunityAndIts")) }
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp(localized("cli.opp.theOpportunityIdOrTitle"))) var opportunity: String

        func run() throws {
            let session = try global.open()
            let deal = try session.database.inOneTransaction { store in
                let deal = try store.opportunity(opportunity)
                try store.deleteOpportunity(deal.id)
                return deal
            }
            Console.out(localized("cli.opp.deletedOpportunity", deal.id, deal.title))
        }
    }
}
