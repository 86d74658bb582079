"""`gpucost sql`: a read-only query on the warehouse, printed as a table, JSON or CSV."""

from __future__ import annotations

from pipeline.commands import UsageError, add_output_flags, reader, subcommand

DESCRIPTION = """\
Run one read-only query (SELECT, WITH, DESCRIBE, SHOW, EXPLAIN) on the warehouse. The connection
cannot write, install extensions or read files outside the warehouse: anything else is refused in
one line. Every table and view has a comment: SELECT * FROM duckdb_tables() shows them."""

EXAMPLES = """\
gpucost sql "SELECT gpu_model, pricing, cloud_cost_usd FROM marts.training_costs WHERE model = 'GPT-3 175B'"
gpucost sql "SELECT * FROM marts.latest_gpu_prices WHERE gpu_model = 'H100-SXM'" --csv > h100.csv
gpucost sql "SELECT table_name, comment FROM duckdb_tables() WHERE schema_name = 'marts'"
"""


def cmd_sql(args) -> int:
    import duckdb

    from pipeline.display import format_rows, terminal_width, to_csv, to_json
    from warehouse import queries

    try:
        with reader() as con:
            columns, rows = queries.read_only_rows(con, args.query)
    except duckdb.PermissionException as exc:
        raise UsageError(
            "read-only, and reads nothing but the warehouse: "
            + str(exc).splitlines()[0].removeprefix("Permission Error: ")
        ) from exc
    except duckdb.Error as exc:
        raise UsageError(f"query failed: {str(exc).splitlines()[0]}") from exc
    except (queries.NoResultSet, queries.WriteRefused) as exc:
        raise UsageError(str(exc)) from exc
    if args.json:
        print(to_json([dict(zip(columns, row)) for row in rows]))
    elif args.csv:
        print(to_csv(columns, rows))
    else:
        print(format_rows(columns, rows, terminal_width()))
    return 0


def register(subparsers, name: str) -> None:
    parser = subcommand(subparsers, name, "run a read-only SQL query on the warehouse", DESCRIPTION, EXAMPLES)
    parser.add_argument("query", help="one read-only SQL statement")
    add_output_flags(parser)
    parser.set_defaults(func=cmd_sql)
