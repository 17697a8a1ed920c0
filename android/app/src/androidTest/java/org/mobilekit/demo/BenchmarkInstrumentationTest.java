package org.mobilekit.demo;

import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import android.app.Instrumentation;
import android.content.Context;
import android.content.Intent;
import android.os.Bundle;
import androidx.test.platform.app.InstrumentationRegistry;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.junit.Test;

/**
 * The benchmark mode for hosted device farms (AWS Device Farm runs instrumentation tests): starts
 * BenchmarkActivity with the runner's protocol extras, passed as instrumentation arguments, waits for
 * {@code done} or {@code error}, and reports result.json back through the instrumentation status (key
 * {@code mobilekit_result}) as well as leaving it under {@code <external-files>/mobilekit/<run_id>/}.
 *
 * <pre>
 * adb shell am instrument -w -r -e bundle /data/local/tmp/mobilekit/BUNDLE -e artifact FILE \
 *   -e run_id ID -e warmup 5 -e iterations 50 -e threads 4 -e energy false -e timeout_s 600 \
 *   -e class org.mobilekit.demo.BenchmarkInstrumentationTest \
 *   org.mobilekit.demo.test/androidx.test.runner.AndroidJUnitRunner
 * </pre>
 *
 * <p>An LLM case adds {@code -e mode llm -e prompts prompts.json -e prompt_ids a,b -e max_new_tokens 128
 * -e repetitions 3} (warm-up defaults to 1), as BenchmarkActivity's LLM extras.
 */
public class BenchmarkInstrumentationTest {
  private static String arg(Bundle args, String name, String fallback) {
    String v = args.getString(name);
    return v == null || v.isEmpty() ? fallback : v;
  }

  @Test
  public void runsOneBenchmarkCase() throws Exception {
    Instrumentation instrumentation = InstrumentationRegistry.getInstrumentation();
    Bundle args = InstrumentationRegistry.getArguments();
    Context target = instrumentation.getTargetContext();
    String runId = arg(args, "run_id", "instrumentation-" + System.currentTimeMillis());
    String bundle = args.getString("bundle");
    File builtIn = bundle == null ? DemoBundles.firstInstalled(target) : null;
    String artifact = args.getString("artifact");
    if (bundle == null && builtIn == null) {
      fail("pass -e bundle DIR -e artifact FILE (no demo bundle is built into this APK)");
    }
    if (artifact == null) {
      artifact = org.mobilekit.demo.core.Plan.forBundle(bundle != null ? new File(bundle) : builtIn).cases.get(0).artifact;
    }
    Intent intent = new Intent(target, BenchmarkActivity.class)
        .addFlags(Intent.FLAG_ACTIVITY_NEW_TASK | Intent.FLAG_ACTIVITY_CLEAR_TASK)
        .putExtra("bundle", bundle != null ? bundle : builtIn.getPath())
        .putExtra("artifact", artifact)
        .putExtra("run_id", runId)
        .putExtra("warmup", Integer.parseInt(arg(args, "warmup", "5")))
        .putExtra("iterations", Integer.parseInt(arg(args, "iterations", "50")))
        .putExtra("threads", Integer.parseInt(arg(args, "threads", "0")))
        .putExtra("energy", Boolean.parseBoolean(arg(args, "energy", "false")));
    if ("llm".equals(args.getString("mode"))) {
      // the LLM case (docs/llm-contract.md): prompts x repetitions of greedy generation
      intent.putExtra("mode", "llm")
          .putExtra("prompts", args.getString("prompts"))
          .putExtra("prompt_ids", args.getString("prompt_ids"))
          .putExtra("max_new_tokens", Integer.parseInt(arg(args, "max_new_tokens", "0")))
          .putExtra("warmup", Integer.parseInt(arg(args, "warmup", "1")))
          .putExtra("repetitions", Integer.parseInt(arg(args, "repetitions", "3")));
    }
    target.startActivity(intent);

    File dir = new File(new File(target.getExternalFilesDir(null), "mobilekit"), runId);
    long deadline = System.currentTimeMillis() + 1000L * Long.parseLong(arg(args, "timeout_s", "600"));
    while (!new File(dir, "done").isFile() && !new File(dir, "error").isFile()) {
      if (System.currentTimeMillis() > deadline) {
        fail("no done or error in " + dir + " before the timeout");
      }
      Thread.sleep(250);
    }
    Bundle status = new Bundle();
    status.putString("mobilekit_run_id", runId);
    status.putString("mobilekit_dir", dir.getPath());
    if (new File(dir, "error").isFile()) {
      String error = read(new File(dir, "error"));
      status.putString("mobilekit_error", error);
      instrumentation.sendStatus(0, status);
      fail("the benchmark wrote error: " + error);
    }
    String result = read(new File(dir, "result.json"));
    status.putString("mobilekit_result", result);
    instrumentation.sendStatus(0, status);
    org.json.JSONObject doc = new org.json.JSONObject(result);
    assertTrue("result.json is for run " + doc.optString("run_id"), runId.equals(doc.getString("run_id")));
    assertTrue("no latencies in " + dir, doc.getJSONArray("latency_ms").length() > 0);
  }

  private static String read(File f) throws IOException {
    return new String(Files.readAllBytes(f.toPath()), StandardCharsets.UTF_8);
  }
}
