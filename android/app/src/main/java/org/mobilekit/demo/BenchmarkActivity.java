package org.mobilekit.demo;

import android.app.Activity;
import android.content.Intent;
import android.os.Bundle;
import android.util.Log;
import android.view.WindowManager;
import android.widget.TextView;
import java.io.File;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.mobilekit.demo.core.Benchmark;

/**
 * Headless benchmark mode, started by the device runner:
 *
 * <pre>
 * am start -W -S -n org.mobilekit.demo/.BenchmarkActivity --es bundle DIR --es artifact FILE
 *   --es run_id ID --ei warmup N --ei iterations N --ei threads N --ez energy true
 * </pre>
 *
 * <p>The case runs on a background thread ({@link Benchmark}); the activity writes result.json and an
 * empty {@code done} (or {@code error} with the message, for any Throwable including
 * OutOfMemoryError) to {@code getExternalFilesDir(null)/mobilekit/ID/} and
 * {@code getFilesDir()/mobilekit/ID/}, then finishes. Nothing runs after {@code finish()}.
 */
public final class BenchmarkActivity extends Activity {
  private static final String TAG = "BenchmarkActivity";
  private static final Object LOCK = new Object();
  private static boolean running;

  @Override
  protected void onCreate(Bundle savedInstanceState) {
    super.onCreate(savedInstanceState);
    TextView status = new TextView(this);
    status.setPadding(32, 32, 32, 32);
    setContentView(status);
    if (savedInstanceState != null) {
      // Recreated by a configuration change while the first instance's thread still runs: that thread
      // writes the files; this instance starts nothing and goes away.
      finish();
      return;
    }
    synchronized (LOCK) {
      if (running) {
        Log.w(TAG, "a benchmark is already running; this start is ignored");
        finish();
        return;
      }
      running = true;
    }
    getWindow().addFlags(WindowManager.LayoutParams.FLAG_KEEP_SCREEN_ON);
    Intent intent = getIntent();
    String runId = intent.getStringExtra("run_id");
    status.setText("mobilekit benchmark " + runId + " running\u2026");
    Thread worker = new Thread(() -> runCase(intent), "mobilekit-benchmark");
    worker.start();
  }

  /** Background thread: the whole case (plain Java, {@link Benchmark#execute}), then finish on the UI thread. */
  private void runCase(Intent intent) {
    try {
      List<File> bases = new ArrayList<>();
      File external = getExternalFilesDir(null);
      if (external != null) {
        bases.add(external);
      }
      bases.add(getFilesDir());
      Benchmark bench = new Benchmark(new AndroidProbes(this), Collections.<String, String>emptyMap(), 1.0);
      String outcome = bench.execute(bases,
          intent.getStringExtra("bundle"),
          intent.getStringExtra("artifact"),
          intent.getStringExtra("run_id"),
          intent.getIntExtra("warmup", 5),
          intent.getIntExtra("iterations", 50),
          intent.getIntExtra("threads", 0),
          intent.getBooleanExtra("energy", false));
      if (outcome.startsWith("error")) {
        Log.e(TAG, outcome);
      } else {
        Log.i(TAG, "benchmark " + intent.getStringExtra("run_id") + " " + outcome);
      }
    } finally {
      synchronized (LOCK) {
        running = false;
      }
      runOnUiThread(this::finish);
    }
  }
}
