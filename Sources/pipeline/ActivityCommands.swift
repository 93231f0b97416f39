import ArgumentParser
import Foundation
import PipelineCore
import PipelineExchange
import PipelineEngines
import PipelineStorage

/// `pipeline activity …`: the next call, the meeting tomorrow, the quotation to send (issue 13).
struct ActivityCommand: ParsableCommand {
    static var configuration: CommandConfiguration { CommandConfiguration(
        commandName: "activity",
        abstract: localized("cli.activity.abstract"),
        discussion: localized("cli.activity.discussion"),
        subcommands: [Add.self, List.self, Done.self, Edit.self, Reschedule.self, Remove.self, TypeCommand.self]) }

    struct Add: ParsableCommand {
        static var configuration: CommandConfiguration { CommandConfiguration(abstract: localized("cli.activity.add.abstract")) }
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp(localized("cli.activity.argument.deal"))) var deal: String
        @Option(help: ArgumentHelp(localized("cli.activity.option.type"), valueName: "type")) var type: String
        @Option(help: ArgumentHelp(localized("cli.activity.option.due"), valueName: "date")) var due: String
        @Option(help: ArgumentHelp(localized("cli.activity.option.time"), valueName: "HH:MM")) var time: String?
        @Option(help: ArgumentHelp(localized("cli.activity.option.summary"), valueName: "text")) var summary: String
        @Option(help: ArgumentHelp(localized("cli.activity.option.assign"), valueName: "user")) var assign: String?
        @Option(help: ArgumentHelp(localized("cli.activity.option.note"), valueName: "text")) var note: String?
        @Flag(help: ArgumentHelp(localized("cli.option.json"))) var json = false

        func run() throws {
            let session = try global.open()
            let context = session.context()
            let today = session.today
            let (added, deal, types) = try session.database.inOneTransaction { store in
                let deal = try store.dealOrLead(self.deal)
                let types = try store.activityTypes()
                // The due date's words and sentence are the core's, as on the board's forms.
                let changes = try ActivityForm(type: type, summary: summary, due: due, time: time, assignedTo: assign, notes: note)
                    .validated(language: session.language, types: types, today: today)
                let outcome = try store.pipeline(for: deal.team).stages.first { $0.id == deal.stage }?.outcome
                return (try store.addActivity(to: deal.id, changes, context: context), (deal, outcome), types)
            }
            ActivityOutput(session: session, types: types, today: today).print(added, deal: deal.0, json: json, key: "cli.activity.added")
            // On a lost or archived deal the activity is kept but leaves the lists: say where it is.
            if !json, !deal.0.hasActivitiesToDo(stageOutcome: deal.1) {
                Console.out(localized("cli.activity.addedToClosed", shellWord(String(deal.0.id.rawValue))))
            }
        }
    }

    struct List: ParsableCommand {
        static var configuration: CommandConfiguration { CommandConfiguration(
            abstract: localized("cli.activity.list.abstract"),
            discussion: localized("cli.activity.list.discussion")) }
        @OptionGroup var global: GlobalOptions
        @Flag(help: ArgumentHelp(localized("cli.activity.option.mine"))) var mine = false
        @Option(help: ArgumentHelp(localized("cli.activity.option.user"), valueName: "user")) var user: String?
        @Option(help: ArgumentHelp(localized("cli.activity.option.team"), valueName: "team")) var team: String?
        @Flag(exclusivity: .exclusive) var range: RangeFlag?
        @Flag(help: ArgumentHelp(localized("cli.activity.option.done"))) var done = false
        @Flag(help: ArgumentHelp(localized("cli.activity.option.closed"))) var closed = false
        @Flag(help: ArgumentHelp(localized("cli.option.json"))) var json = false

        enum RangeFlag: String, EnumerableFlag {
            case overdue, today, week

            static func help(for value: RangeFlag) -> ArgumentHelp? { ArgumentHelp(localized("cli.activity.flag.\(value.rawValue)")) }

            var range: ActivityQuery.DueRange {
                switch self {
                case .overdue: return .overdue
                case .today: return .today
                case .week: return .week
                }
            }
        }

        func validate() throws {
            guard [mine, user != nil, team != nil].filter({ $0 }).count <= 1 else {
                throw ValidationError(localized("cli.activity.oneScope"))
            }
        }

        func run() throws {
            let session = try global.open(forWriting: false)
            let today = session.today
            let scope: ActivityQuery.Scope
            if let user {
                // Ignoring case, as `opp list --user` matches a salesperson.
                scope = .assigneeIgnoringCase(try TextInput.singleLine(user, field: .assignedTo))
            } else if let team {
                scope = .team(try session.team(option: team).id)
            } else {
                scope = .assignee(session.user)
            }
            let query = ActivityQuery(scope: scope, includeDone: done, includeClosed: closed, range: range?.range ?? .any, today: today)
            // One snapshot: the activities and the titles of their deals agree.
            let (activities, deals, types) = try session.database.readingTogether {
                var activities: [Activity] = []
                var cursor: ActivityCursor?
                while true {
                    let page = try session.database.activityList(query, after: cursor, limit: 500)
                    activities += page
                    guard page.count == 500, let last = page.last else { break }
                    cursor = last.cursor
                }
                var deals: [Opportunity.ID: Opportunity] = [:]
                for id in Set(activities.map(\.record)) { deals[id] = try session.database.opportunity(id) }
                return (activities, deals, try session.database.activityTypes())
            }
            let output = ActivityOutput(session: session, types: types, today: today)
            if json {
                Console.out(JSONValue.array(activities.map { output.json($0, deal: deals[$0.record]) }).rendered())
                return
            }
            guard !activities.isEmpty else {
                // Asked for overdue, today's or the week's: say that none is, not "no activities".
                if let range {
                    Console.out(localized("cli.activity.noneListed.\(range.rawValue)"))
                } else {
                    Console.out(localized("cli.activity.noneListed", shellWord(types.first?.name ?? "call")))
                }
                return
            }
            var table = Table([
                .init(localized("cli.column.id"), max: 7, right: true), .init(localized("cli.column.state"), max: 10),
                .init(localized("cli.column.due"), max: 10), .init(localized("cli.column.time"), max: 5),
                .init(localized("cli.column.activityType"), max: 14, min: 6), .init(localized("cli.column.summary"), max: 40, min: 10),
                .init(localized("cli.column.deal"), max: 28, min: 8), .init(localized("cli.column.assignedTo"), max: 14, min: 6),
            ])
            for activity in activities {
                table.add([String(activity.id.rawValue), output.state(activity), activity.due.display(in: session.language),
                           activity.time?.description ?? "", output.typeName(activity.type), activity.summary,
                           deals[activity.record]?.title ?? "#\(activity.record.rawValue)", activity.assignedTo])
            }
            table.finish()
        }
    }

    struct Done: ParsableCommand {
        static var configuration: CommandConfiguration { CommandConfiguration(
            abstract: localized("cli.activity.done.abstract"),
            discussion: localized("cli.activity.done.discussion")) }
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp(localized("cli.activity.argument.id"))) var activity: String
        @Option(help: ArgumentHelp(localized("cli.activity.option.feedback"), valueName: "text")) var feedback: String?
        @Option(help: ArgumentHelp(localized("cli.activity.option.next"), valueName: "type")) var next: String?
        @Option(help: ArgumentHelp(localized("cli.activity.option.nextDue"), valueName: "date")) var due: String?
        @Option(help: ArgumentHelp(localized("cli.activity.option.time"), valueName: "HH:MM")) var time: String?
        @Option(help: ArgumentHelp(localized("cli.activity.option.nextSummary"), valueName: "text")) var summary: String?
        @Flag(help: ArgumentHelp(localized("cli.option.json"))) var json = false

        func validate() throws {
            if next == nil, due != nil || time != nil || summary != nil {
                throw ValidationError(localized("cli.activity.nextOptionsNeedNext"))
            }
        }

        func run() throws {
            let session = try global.open()
            let context = session.context()
            let today = session.today
            let (result, deal, types) = try session.database.inOneTransaction { store in
                let current = try store.activity(activity)
                let types = try store.activityTypes()
                let following = try next.map { type throws -> ActivityChanges in
                    // What "done & schedule next" pre-fills, overridden by what was typed.
                    let chosen = try ActivityType.resolve(type, in: types)
                    var changes = current.nextSuggestion(types: types, today: today)
                    let typed = try ActivityForm(summary: summary, due: due, time: time)
                        .validated(language: session.language, types: types, today: today)
                    changes.type = chosen.id
                    changes.summary = typed.summary ?? chosen.name
                    if let time = typed.time { changes.time = time }
                    if let due = typed.due { changes.due = due }
                    return changes
                }
                let result = try store.completeActivity(current.id, feedback: feedback ?? "", next: following, expectedVersion: nil,
                                                        context: context)
                return (result, try store.record(current.record), types)
            }
            let output = ActivityOutput(session: session, types: types, today: today)
            if json {
                Console.out(JSONValue.object([("done", output.json(result.done, deal: deal)),
                                              ("next", result.next.map { output.json($0, deal: deal) } ?? .null)]).rendered())
            } else {
                output.print(result.done, deal: deal, json: false, key: "cli.activity.markedDone")
                if let scheduled = result.next { output.print(scheduled, deal: deal, json: false, key: "cli.activity.scheduledNext") }
            }
            // A person at a terminal is offered the next step; a script never is.
            if result.next == nil, isatty(STDIN_FILENO) == 1, isatty(STDERR_FILENO) == 1 {
                let suggestion = result.done.nextSuggestion(types: types, today: today)
                let type = suggestion.type.map(output.typeName) ?? ""
                let date = suggestion.due?.display(in: session.language) ?? ""
                Console.error(localized("cli.activity.suggestNext", type, date, result.done.record, shellWord(type), suggestion.due?.iso8601 ?? ""))
            }
        }
    }

    struct Edit: ParsableCommand {
        static var configuration: CommandConfiguration { CommandConfiguration(abstract: localized("cli.activity.edit.abstract")) }
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp(localized("cli.activity.argument.id"))) var activity: String
        @Option(help: ArgumentHelp(localized("cli.activity.option.type"), valueName: "type")) var type: String?
        @Option(help: ArgumentHelp(localized("cli.activity.option.due"), valueName: "date")) var due: String?
        @Option(help: ArgumentHelp(localized("cli.activity.option.time"), valueName: "HH:MM")) var time: String?
        @Flag(name: .customLong("no-time"), help: ArgumentHelp(localized("cli.activity.option.noTime"))) var noTime = false
        @Option(help: ArgumentHelp(localized("cli.activity.option.summary"), valueName: "text")) var summary: String?
        @Option(help: ArgumentHelp(localized("cli.activity.option.assign"), valueName: "user")) var assign: String?
        @Option(help: ArgumentHelp(localized("cli.activity.option.note"), valueName: "text")) var note: String?
        @Flag(help: ArgumentHelp(localized("cli.option.json"))) var json = false

        func validate() throws {
            if noTime, time != nil { throw ValidationError(localized("cli.activity.timeOrNoTime")) }
        }

        func run() throws {
            let session = try global.open()
            let context = session.context()
            let today = session.today
            let (edited, deal, types) = try session.database.inOneTransaction { store in
                let current = try store.activity(activity)
                let types = try store.activityTypes()
                let changes = try ActivityForm(type: type, summary: summary, due: due, time: noTime ? "" : time, assignedTo: assign,
                                               notes: note).validated(language: session.language, types: types, today: today)
                return (try store.editActivity(current.id, changes, expectedVersion: nil, context: context),
                        try store.record(current.record), types)
            }
            ActivityOutput(session: session, types: types, today: today).print(edited, deal: deal, json: json, key: "cli.activity.updated")
        }
    }

    struct Reschedule: ParsableCommand {
        static var configuration: CommandConfiguration { CommandConfiguration(
            abstract: localized("cli.activity.reschedule.abstract"),
            discussion: localized("cli.activity.reschedule.discussion")) }
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp(localized("cli.activity.argument.id"))) var activity: String
        @Argument(help: ArgumentHelp(localized("cli.activity.argument.when"))) var when: String
        @Option(help: ArgumentHelp(localized("cli.activity.option.time"), valueName: "HH:MM")) var time: String?
        @Flag(name: .customLong("no-time"), help: ArgumentHelp(localized("cli.activity.option.noTime"))) var noTime = false
        @Flag(help: ArgumentHelp(localized("cli.option.json"))) var json = false

        func validate() throws {
            if noTime, time != nil { throw ValidationError(localized("cli.activity.timeOrNoTime")) }
        }

        func run() throws {
            let session = try global.open()
            let context = session.context()
            let today = session.today
            let (moved, deal, types) = try session.database.inOneTransaction { store in
                let current = try store.activity(activity)
                let types = try store.activityTypes()
                // Steps put off from the later of the due date and today, as the board's `r` does.
                let due = try ActivityReschedule.dueDate(when, from: current.due, today: today, language: session.language)
                let newTime: MinuteOfDay?? = noTime ? .some(nil) : try time.map { try MinuteOfDay(parsing: $0) }
                return (try store.rescheduleActivity(current.id, to: due, time: newTime, expectedVersion: nil, context: context),
                        try store.record(current.record), types)
            }
            ActivityOutput(session: session, types: types, today: today).print(moved, deal: deal, json: json, key: "cli.activity.rescheduled")
        }
    }

    struct Remove: ParsableCommand {
        static var configuration: CommandConfiguration { CommandConfiguration(abstract: localized("cli.activity.remove.abstract")) }
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp(localized("cli.activity.argument.id"))) var activity: String

        func run() throws {
            let session = try global.open()
            let removed = try session.database.inOneTransaction { store in
                let current = try store.activity(activity)
                try store.removeActivity(current.id, expectedVersion: nil)
                return current
            }
            Console.out(localized("cli.activity.removed", removed.id, removed.summary))
        }
    }
}

extension ActivityCommand {
    /// `pipeline activity type …`: the list of activity types (a manager's or an administrator's on a server).
    struct TypeCommand: ParsableCommand {
        static var configuration: CommandConfiguration { CommandConfiguration(
            commandName: "type",
            abstract: localized("cli.activityType.abstract"),
            subcommands: [List.self, Add.self, Edit.self, Remove.self]) }

        struct List: ParsableCommand {
            static var configuration: CommandConfiguration { CommandConfiguration(abstract: localized("cli.activityType.list.abstract")) }
            @OptionGroup var global: GlobalOptions
            @Flag(help: ArgumentHelp(localized("cli.option.json"))) var json = false

            func run() throws {
                let session = try global.open(forWriting: false)
                let types = try session.database.activityTypes()
                let names = Dictionary(types.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
                if json {
                    Console.out(JSONValue.array(types.map { Present.activityType($0, names: names) }).rendered())
                    return
                }
                var table = Table([.init(localized("cli.column.id"), max: 5, right: true), .init(localized("cli.column.activityType"), max: 24, min: 8),
                                   .init(localized("cli.column.next"), max: 24, min: 8), .init(localized("cli.column.afterDays"), max: 5, right: true)])
                for type in types {
                    table.add([String(type.id.rawValue), type.name, type.nextType.flatMap { names[$0] } ?? type.name, String(type.nextDelayDays)])
                }
                table.finish()
            }
        }

        struct Add: ParsableCommand {
            static var configuration: CommandConfiguration { CommandConfiguration(
                abstract: localized("cli.activityType.add.abstract"),
                discussion: localized("cli.activityType.add.discussion")) }
            @OptionGroup var global: GlobalOptions
            @Argument(help: ArgumentHelp(localized("cli.activityType.argument.name"))) var name: String
            @Option(help: ArgumentHelp(localized("cli.activityType.option.next"), valueName: "type")) var next: String?
            @Option(parsing: .unconditional, help: ArgumentHelp(localized("cli.activityType.option.delay"), valueName: "days")) var delay: String?

            func run() throws {
                let session = try global.open()
                let added = try session.database.inOneTransaction { store in
                    let nextType = try next.map { try ActivityType.resolve($0, in: store.activityTypes()).id }
                    return try store.addActivityType(name: name, nextType: nextType, nextDelayDays: try delay.map(parseDelay) ?? 0)
                }
                Console.out(localized("cli.activityType.added", added.id, added.name))
            }
        }

        struct Edit: ParsableCommand {
            static var configuration: CommandConfiguration { CommandConfiguration(abstract: localized("cli.activityType.edit.abstract")) }
            @OptionGroup var global: GlobalOptions
            @Argument(help: ArgumentHelp(localized("cli.activityType.argument.type"))) var type: String
            @Option(help: ArgumentHelp(localized("cli.activityType.option.name"), valueName: "name")) var name: String?
            @Option(help: ArgumentHelp(localized("cli.activityType.option.next"), valueName: "type")) var next: String?
            @Option(parsing: .unconditional, help: ArgumentHelp(localized("cli.activityType.option.delay"), valueName: "days")) var delay: String?

            func run() throws {
                let session = try global.open()
                let edited = try session.database.inOneTransaction { store in
                    let types = try store.activityTypes()
                    let current = try ActivityType.resolve(type, in: types)
                    let nextType = try next.map { try ActivityType.resolve($0, in: types).id }
                    return try store.editActivityType(current.id, name: name, nextType: nextType, nextDelayDays: try delay.map(parseDelay),
                                                      expectedVersion: nil)
                }
                Console.out(localized("cli.activityType.updated", edited.id, edited.name))
            }
        }

        struct Remove: ParsableCommand {
            static var configuration: CommandConfiguration { CommandConfiguration(
                abstract: localized("cli.activityType.remove.abstract"),
                discussion: localized("cli.activityType.remove.discussion")) }
            @OptionGroup var global: GlobalOptions
            @Argument(help: ArgumentHelp(localized("cli.activityType.argument.type"))) var type: String

            func run() throws {
                let session = try global.open()
                let removed = try session.database.inOneTransaction { store in
                    let current = try ActivityType.resolve(type, in: store.activityTypes())
                    try store.removeActivityType(current.id, expectedVersion: nil)
                    return current
                }
                Console.out(localized("cli.activityType.removed", removed.id, removed.name))
            }
        }
    }
}

/// Days until the next activity as typed: a whole number the core then checks against its range.
func parseDelay(_ text: String) throws(PipelineError) -> Int {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    guard trimmed.count <= 6, let days = Int(trimmed) else { throw .invalidNextDelay(text) }
    return days
}

/// `text` quoted for a shell when it needs to be (a hint's command line).
func shellWord(_ text: String) -> String {
    let plain = !text.isEmpty && text.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0) }
    return plain ? text : "'" + text.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
}

/// How activities are printed: one line in the language, or an object of Docs/cli.md.
struct ActivityOutput {
    let session: Session
    let types: [ActivityType]
    let today: CalendarDate

    func typeName(_ id: ActivityType.ID) -> String {
        types.first { $0.id == id }?.name ?? "#\(id.rawValue)"
    }

    /// overdue, today, planned or done, in the language.
    func state(_ activity: Activity) -> String {
        localized("cli.activity.state.\(stateKey(activity))")
    }

    func stateKey(_ activity: Activity) -> String {
        switch activity.timing(on: today) {
        case .none: return "done"
        case .overdue: return "overdue"
        case .dueToday: return "today"
        case .planned: return "planned"
        }
    }

    func json(_ activity: Activity, deal: Opportunity?) -> JSONValue {
        Present.activity(activity, typeName: typeName(activity.type), state: stateKey(activity), dealTitle: deal?.title)
    }

    /// `Added activity 12 (planned): Call 'Ring Ana' due 2026-12-03 14:30 for lan, on deal 3 'Acme'.`
    func print(_ activity: Activity, deal: Opportunity?, json: Bool, key: String) {
        if json {
            Console.out(self.json(activity, deal: deal).rendered())
            return
        }
        let when = activity.due.display(in: session.language) + (activity.time.map { " \($0)" } ?? "")
        let who = activity.assignedTo.isEmpty ? localized("cli.activity.nobody") : activity.assignedTo
        Console.out(localized(key, activity.id, state(activity), typeName(activity.type), activity.summary, when, who,
                              activity.record.rawValue, deal?.title ?? ""))
    }
}

extension StoreReader {
    /// A deal or a lead by id or title, as every command names one: a deal first.
    func dealOrLead(_ reference: String) throws -> Opportunity {
        do {
            return try opportunity(reference)
        } catch PipelineError.unknownOpportunity {
            do { return try lead(reference) } catch PipelineError.unknownLead { throw PipelineError.unknownOpportunity(reference) }
        }
    }
}
