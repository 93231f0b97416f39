#!/usr/bin/env python3
"""Fills a pipeline database with N deterministic opportunities over the default six
stages and five teams, with Vietnamese and English text and some long names, each with the
history line its creation writes.

    python3 Benchmarks/generate.py --opportunities 100000 --db /tmp/big.sqlite

The database is created (and migrated) by the real binary first, so the rows go through
the same triggers (stage totals, the filter index) as the application's own writes.
"""
import argparse, os, random, sqlite3, subprocess, sys, unicodedata

def fold(text):
    text = unicodedata.normalize("NFD", text.lower())
    text = "".join(c for c in text if unicodedata.category(c) != "Mn").replace("đ", "d")
    return " ".join(text.split())

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--opportunities", type=int, required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--binary", default=".build/release/pipeline")
    args = parser.parse_args()
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
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    print(f"{args.opportunities} opportunities in {args.db}")

if __name__ == "__main__":
    main()
