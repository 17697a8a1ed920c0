package org.mobilekit.demo;

import static org.junit.Assert.assertTrue;
import static org.robolectric.Shadows.shadowOf;

import android.os.Looper;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.function.BooleanSupplier;
import org.json.JSONArray;
import org.json.JSONObject;

/** Shared by the Robolectric tests: the real exported bundle and waiting for background work. */
final class ActivityTestSupport {
  private ActivityTestSupport() {}

  /** The exported bundle; the test is skipped when -Dmobilekit.bundle is not set (tests/apps always sets it). */
  static File bundle() {
    String p = System.getProperty("mobilekit.bundle", "");
    org.junit.Assume.assumeTrue("set -Dmobilekit.bundle to an exported digits bundle (tests/apps does)", !p.isEmpty());
    File f = new File(p);
    assertTrue(p + " is not a bundle directory", new File(f, "manifest.json").isFile());
    return f;
  }

  /** Where the pytest side picks up result files to validate against schemas/result.schema.json. */
  static File results(String sub) {
    String p = System.getProperty("mobilekit.results", "");
    File d = p.isEmpty() ? new File(System.getProperty("java.io.tmpdir"), "mobilekit-results") : new File(p);
    File out = new File(d, sub);
    out.mkdirs();
    return out;
  }

  static String read(File f) throws IOException {
    return new String(Files.readAllBytes(f.toPath()), StandardCharsets.UTF_8);
  }

  static String onnxArtifact(File bundle) throws Exception {
    JSONArray arts = new JSONObject(read(new File(bundle, "manifest.json"))).getJSONArray("artifacts");
    for (int i = 0; i < arts.length(); i++) {
      JSONObject a = arts.getJSONObject(i);
      if (a.getString("runtime").equals("onnxruntime")) {
        return a.getString("file");
      }
    }
    throw new AssertionError("the bundle has no onnxruntime artifact");
  }

  static void copyDir(File from, File to) throws IOException {
    to.mkdirs();
    for (File f : from.listFiles()) {
      if (f.isFile()) {
        Files.copy(f.toPath(), new File(to, f.getName()).toPath(), StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  /** Runs the main looper until {@code done} holds (background threads post to it), or fails after the timeout. */
  static void idleUntil(String what, long timeoutMs, BooleanSupplier done) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (true) {
      shadowOf(Looper.getMainLooper()).idle();
      if (done.getAsBoolean()) {
        return;
      }
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("timed out after " + timeoutMs + " ms waiting for " + what);
      }
      Thread.sleep(20);
    }
  }
}
