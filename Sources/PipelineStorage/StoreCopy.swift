import PipelineCore

/// Copies everything — settings and every user's preferences, teams, stages, leads and
/// opportunities, stage history, activity types, activities and notes — from one store to another, whatever their engines: how a
/// team moves from a file to a server. One snapshot of the source, one transaction on the
/// target; a target that holds anything but a new database's defaults is refused, and ids,
/// versions and times are kept, so both stores then check and forecast alike.
public enum StoreCopy {
    /// What a copy brought over.
    public struct Summary: Sendable, Equatable {
        public var teams = 0, stages = 0, records = 0, history = 0
        public var activityTypes = 0, activities = 0, notes = 0

        public init() {}
    }

    /// `progress` hears of every row copied (and may stop the copy: nothing is then kept).
    public static func copy(from source: any BackupSource, to target: any BackupSink, progress: RowProgress = .none) throws -> Summary {
        // Said in so many words before reading anything; the restore checks it again inside
        // its transaction, where it also asks whether the person may restore at all.
        guard try target.isUntouched() else { throw PipelineError.copyTargetNotEmpty(target.location) }
        return try source.readingSnapshot { reader in
            var summary = Summary()
            try target.restore(progress: progress) { writer in
                for (key, value) in try reader.storedSettings() { try writer.storeSetting(key, value) }
                for preference in try reader.storedPreferences() {
                    try writer.storePreference(preference.key, preference.value, user: preference.user)
                }
                for team in try reader.teamsWithCreation() {
                    try writer.insert(team)
                    summary.teams += 1
                }
                let externals = try reader.stageExternalIDs()
                for stage in try reader.catalog().stages {
                    try writer.insert(stage, externalID: externals[stage.id])
                    summary.stages += 1
                }
                var rows = 0
                try reader.forEachRecord(kind: nil) { record, externalID in
                    try writer.insert(record, externalID: externalID)
                    summary.records += 1
                    rows += 1
                    try progress.step(rows, nil)
                }
                try reader.forEachHistoryEntry { entry in
                    try writer.insert(entry)
                    summary.history += 1
                    rows += 1
                    try progress.step(rows, nil)
                }
                for type in try reader.activityTypes() {
                    try writer.insert(type)
                    summary.activityTypes += 1
                }
                try reader.forEachActivity { activity in
                    try writer.insert(activity)
                    summary.activities += 1
                    rows += 1
                    try progress.step(rows, nil)
                }
                try reader.forEachNote { note in
                    try writer.insert(note)
                    summary.notes += 1
                    rows += 1
                    try progress.step(rows, nil)
                }
            }
            return summary
        }
    }
}
