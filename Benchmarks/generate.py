#!/usr/bin/env python3
"""Fills a pipeline database with N deterministic opportunities over the default six
stages and five teams, with Vietnamese and English text and some long names, each with the
history line its creation writes, and about two activities per deal (some overdue, some due
today, most planned, a quarter done), each deal's activity glance kept as the store keeps it.

    python3 Benchmarks/generate.py --opportunities 100000 --db /tmp/big.sqlite
    python3 Benchmarks/generate.py --add-activities --db /tmp/big.sqlite   # a file made before

The database is created (and migrated) by the real binary first, so the rows go through
the same triggers (stage totals, the filter index) as the application's own writes.
"""
import argparse, datetime, os, random, sqlite3, subprocess, sys, unicodedata

def fold(text):
    text = unicodedata.normalize("NFD", text.lower())
    text = "".join(c for c in text if unicodedata.category(c) != "Mn").replace("đ", "d")
    return " ".join(text.split())

def add_activities(db, per_deal=2, seed=43):
    """About `per_deal` activities per deal (none to twice as many), dated around today: 20 %
    overdue, 10 % due today, 45 % planned (some with a time), 25 % done. Then each deal's glance
    (next open due date and time, latest open due date), as the store computes it, so `pipeline
    check` agrees; and an expected closing date for two deals in three that have none, for the
    closing-date order."""
    random.seed(seed)
    today = datetime.date.today()
    now = int(datetime.datetime.now(datetime.timezone.utc).timestamp() * 1000)
    types = [row[0] for row in db.execute("SELECT id FROM activity_type ORDER BY sort_order")]
    deals = list(db.execute("SELECT id, salesperson FROM opportunity WHERE type = 'opportunity' ORDER BY id"))
    summaries = ["Gọi lại khách hàng", "Send the quotation", "Họp demo sản phẩm", "Follow up", "Gửi hợp đồng"]
    glance = {}
    next_id = (db.execute("SELECT coalesce(max(id), 0) FROM activity").fetchone()[0] or 0) + 1

    def rows():
        nonlocal next_id
        for deal, person in deals:
            for _ in range(random.randrange(0, 2 * per_deal + 1)):  # none to twice as many
                roll = random.random()
                if roll < 0.20:
                    due, done = today - datetime.timedelta(days=random.randrange(1, 30)), False
                elif roll < 0.30:
                    due, done = today, False
                elif roll < 0.75:
                    due, done = today + datetime.timedelta(days=random.randrange(1, 60)), False
                else:
                    due, done = today - datetime.timedelta(days=random.randrange(0, 60)), True
                time = random.randrange(8 * 60, 18 * 60, 15) if random.random() < 0.4 else None
                identifier = next_id
                next_id += 1
                if not done:
                    key = (due.isoformat(), 1440 if time is None else time, identifier)
                    current = glance.get(deal)
                    if current is None:
                        glance[deal] = [key, due.isoformat()]
                    else:
                        current[0] = min(current[0], key)
                        current[1] = max(current[1], due.isoformat())
                yield (identifier, deal, random.choice(types), random.choice(summaries), due.isoformat(), time, person,
                       now - 86_400_000 if done else None, person if done else None, now - 172_800_000, person,
                       now - 172_800_000)

    with db:
        db.executemany("""
            INSERT INTO activity (id, record_id, type_id, summary, due, due_time, assigned_to, done_at, done_by,
                created_at, created_by, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", rows())
        db.execute("""
            UPDATE opportunity SET expected_closing = date(?, '+' || (id * 7919 % 180) || ' days')
            WHERE type = 'opportunity' AND id % 3 <> 0 AND expected_closing IS NULL""", [today.isoformat()])
        db.executemany("UPDATE opportunity SET next_activity_date = ?, next_activity_time = ?, latest_open_due = ? WHERE id = ?",
                       ((key[0], None if key[1] == 1440 else key[1], latest, deal) for deal, (key, latest) in glance.items()))
    return db.execute("SELECT count(*) FROM activity").fetchone()[0]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--opportunities", type=int)
    parser.add_argument("--db", required=True)
    parser.add_argument("--binary", default=".build/release/pipeline")
    parser.add_argument("--activities-per-deal", type=int, default=2)
    parser.add_argument("--add-activities", action="store_true", help="only add activities to an existing file")
    args = parser.parse_args()
    if args.add_activities:
        db = sqlite3.connect(args.db)
        count = add_activities(db, args.activities_per_deal)
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.close()
        print(f"{count} activities in {args.db}")
        return
    if args.opportunities is None:
        sys.exit("--opportunities is needed to make a new file")
    if os.path.exists(args.db):
        sys.exit(f"{args.db} exists; give a new path")
    env = dict(os.environ, LANG="C")
    for team in ["Hà Nội", "Sài Gòn", "Đà Nẵng", "Export"]:
        subprocess.run([args.binary, "team", "add", team, "--db", args.db], check=True, env=env, stdout=subprocess.DEVNULL)
    random.seed(42)
    db = sqlite3.connect(args.db)
    teams = [row[0] for row in db.execute("SELECT id FROM team ORDER BY id")]
    stages = list(db.execute("SELECT id, probability, outcome FROM stage ORDER BY sort_order"))
    customers = ["Vinamilk", "Công ty Cổ phần Sữa Việt Nam", "Acme Corp", "Globex", "Tập đoàn Hòa Phát",
                 "北京科技有限公司", "Initech", "Ngân hàng Thương mại Cổ phần Ngoại thương Việt Nam"]
    titles = ["Hợp đồng bảo trì", "Renewal", "Gia hạn dịch vụ", "Pilot", "Mở rộng hệ thống", "Expansion",
              "Triển khai phần mềm quản lý kho cho chuỗi siêu thị toàn quốc giai đoạn hai", "Audit"]
    people = ["Lan", "Minh", "Hoa", "Nguyễn Văn Đức", "Trần Thị Hương", "Alice", "Bob"]
    rank = {}
    now = 1_795_000_000_000
    rows = []
    for index in range(args.opportunities):
        team = teams[index % len(teams)]
        stage_id, probability, outcome = stages[random.randrange(len(stages))]
        currency = "VND" if index % 3 else "USD"
        amount = random.randrange(1, 5_000) * (1_000_000 if currency == "VND" else 100)
        weighted = (amount * probability + 5000) // 10000
        title = f"{random.choice(titles)} {index}"
        customer = random.choice(customers)
        person = random.choice(people)
        key = (team, stage_id)
        rank[key] = rank.get(key, 0) - 1_048_576
        created = now - random.randrange(0, 90) * 86_400_000
        rows.append((title, title.lower(), customer, amount, currency, probability, weighted, person, team, stage_id,
                     rank[key], random.randrange(4), created, created, created,
                     fold(" ".join([title, customer, person]))))
    with db:
        db.executemany("""
            INSERT INTO opportunity (title, title_key, customer_name, expected_revenue, currency, probability,
                weighted_revenue, salesperson, team_id, stage_id, rank, priority, created_at, updated_at,
                stage_changed_at, search_text)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", rows)
        # Each deal's first history line, as adding it in the application writes one: its stage
        # is then where its history says (`pipeline check` agrees).
        db.execute("""
            INSERT INTO stage_history (opportunity_id, from_stage_id, to_stage_id, from_stage_name, to_stage_name,
                changed_at, changed_by)
            SELECT o.id, NULL, o.stage_id, NULL, s.name, o.created_at, o.salesperson
            FROM opportunity o JOIN stage s ON s.id = o.stage_id ORDER BY o.id""")
    activities = add_activities(db, args.activities_per_deal)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    print(f"{args.opportunities} opportunities and {activities} activities in {args.db}")

if __name__ == "__main__":
    main()
