"""Exports: transactions, ledger and request log as CSV and JSON, every row, exact amounts."""

import csv
import io

from sandbox.queries import exports


def test_transactions_csv_and_json(client, fps, funded):
    fps.call("Pay", SenderTokenId=funded["prepaidSenderTokenID"], CallerReference="p, \"quoted\"",
             **{"TransactionAmount.Value": "0.50"})
    r = client.get("/admin/export/transactions.csv")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert 'filename="fps-sandbox-transactions.csv"' in r.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))
    assert [(x["operation"], x["amount_cents"], x["fee_cents"]) for x in rows] == [("FundPrepaid", "1000", "30"),
                                                                                 ("Pay", "50", "0")]
    assert rows[1]["caller_reference"] == 'p, "quoted"' and rows[0]["date_received"].endswith("Z")
    data = client.get("/admin/export/transactions.json").get_json()
    assert [x["amount_cents"] for x in data] == [1000, 50]


def test_ledger_export_balances(client, funded):
    data = client.get("/admin/export/ledger.json").get_json()
    assert sum(x["amount_cents"] for x in data) == 0 and len(data) > 8


def test_request_log_export_and_batches(app, client, fps, monkeypatch):
    monkeypatch.setattr(exports, "BATCH", 3)  # several batches
    for _ in range(7):
        fps.call("GetTotalPrepaidLiability")
    data = client.get("/admin/export/requests.json").get_json()
    assert len(data) == 7 and len({x["id"] for x in data}) == 7
    assert len(list(csv.reader(io.StringIO(client.get("/admin/export/requests.csv").get_data(as_text=True))))) == 8


def test_unknown_exports(client):
    assert client.get("/admin/export/accounts.csv").status_code == 404
    assert client.get("/admin/export/ledger.xml").status_code == 404


def test_csv_cells_that_a_spreadsheet_would_run_are_defused(client, fps, funded):
    formula = '=HYPERLINK("http://evil.example","click")'
    fps.call("Pay", SenderTokenId=funded["prepaidSenderTokenID"], CallerReference="@SUM(A1)",
             CallerDescription=formula, **{"TransactionAmount.Value": "0.50"})
    rows = list(csv.DictReader(io.StringIO(client.get("/admin/export/transactions.csv").get_data(as_text=True))))
    pay = rows[-1]
    assert pay["caller_description"] == "'" + formula and pay["caller_reference"] == "'@SUM(A1)"
    assert pay["amount_cents"] == "50"  # numbers are left alone
    ledger = list(csv.DictReader(io.StringIO(client.get("/admin/export/ledger.csv").get_data(as_text=True))))
    assert any(line["amount_cents"].startswith("-") for line in ledger)  # negative amounts stay numbers
    data = client.get("/admin/export/transactions.json").get_json()
    assert data[-1]["caller_description"] == formula  # JSON is data, not a sheet: exact
