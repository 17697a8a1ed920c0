"""mobilekit.device_runner: bundle -> phones over ADB -> stored results -> reports and comparisons.

Python API (what ``mobilekit bench``/``runs``/``compare``/``report`` and ``mobilekit demo`` call)::

    from mobilekit.device_runner.plan import BenchPlan
    from mobilekit.device_runner.store import Store
    from mobilekit.device_runner.bench import run_bench, resume_bench
    from mobilekit.device_runner.compare import compare_runs, has_regression
    from mobilekit.device_runner.report import write_report

    store = Store()                      # ~/.local/share/mobilekit/runs.db, $MOBILEKIT_DB, or Store("x.db")
    plan = BenchPlan(bundle="out/digits_cnn", devices=("127.0.0.1:5555",), threads=(1, 4), iterations=50)
    summary = run_bench(plan, store)     # RunSummary(run_id, ok, failed, pending, simulated, failures, ...)
    resume_bench(store, summary.run_id)  # re-runs only the cases that did not finish
    write_report(store, summary.run_id, "report.html", fmt="html")   # or "csv", "md"
    has_regression(compare_runs(store, old_run_id, new_run_id))

Modules, one job each: ``transport`` (the interface, quoting, exit codes, errors, retries),
``transport_tcp``/``transport_usb`` (adb-shell), ``transport_server`` (Google's adb server, host
protocol), ``connect`` (which transport for ``--device``), ``keys`` (the ADB RSA key), ``parse`` (device
text -> values), ``device`` (typed records: identity, files, app, battery, thermal), ``power`` (sampler
stream and energy), ``thermal`` (cool-down), ``plan`` (what to run), ``bench`` (running it), ``store``
(SQLite), ``stats``/``compare`` (noise-aware verdicts), ``report`` (HTML/CSV/Markdown). ``sim/`` is the
simulated phone used by the tests.
"""
