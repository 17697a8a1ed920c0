package org.mobilekit.demo.core;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.json.JSONArray;
import org.json.JSONException;
import org.json.JSONObject;

/**
 * A benchmark plan for runs with no device runner attached (Firebase Test Lab game loop): which
 * artifacts of a bundle to run, with which thread counts, warm-up and iterations. File format
 * ({@code mobilekit.plan/1}):
 *
 * <pre>
 * {"schema": "mobilekit.plan/1", "bundle": "/data/local/tmp/mobilekit/BUNDLE",
 *  "warmup": 5, "iterations": 50, "energy": false,
 *  "cases": [{"artifact": "digits_cnn.xnnpack.int8.pte", "threads": 4}, ...]}
 * </pre>
 *
 * <p>{@code cases} may be left out: then every Android artifact of the bundle that this app runs
 * (executorch, onnxruntime) at {@code threads} (a list, default [0]).
 */
public final class Plan {
  /** The plan format this class reads. */
  public static final String SCHEMA = "mobilekit.plan/1";

  /** One case: an artifact at a thread count. */
  public static final class Case {
    public final String artifact;
    public final int threads;

    Case(String artifact, int threads) {
      this.artifact = artifact;
      this.threads = threads;
    }
  }

  public final File bundle;
  public final int warmup;
  public final int iterations;
  public final boolean energy;
  public final List<Case> cases;

  private Plan(File bundle, int warmup, int iterations, boolean energy, List<Case> cases) {
    this.bundle = bundle;
    this.warmup = warmup;
    this.iterations = iterations;
    this.energy = energy;
    this.cases = cases;
  }

  /**
   * The default plan for a bundle: every artifact this app runs, threads 0, 5 warm-up, 50 iterations.
   *
   * @param bundle the bundle directory
   * @return the plan
   * @throws IOException when the manifest cannot be read
   */
  public static Plan forBundle(File bundle) throws IOException {
    return build(bundle, 5, 50, false, null, new int[] {0});
  }

  /**
   * Reads a plan file.
   *
   * @param file the plan JSON
   * @param defaultBundle used when the plan names no bundle (e.g. the demo bundle in the APK)
   * @return the plan
   * @throws IOException when a file cannot be read
   * @throws IllegalArgumentException when the plan is not a {@code mobilekit.plan/1} document
   */
  public static Plan load(File file, File defaultBundle) throws IOException {
    String text = new String(Files.readAllBytes(file.toPath()), StandardCharsets.UTF_8);
    try {
      JSONObject o = new JSONObject(text);
      if (!SCHEMA.equals(o.optString("schema", SCHEMA))) {
        throw new IllegalArgumentException("plan schema is '" + o.optString("schema") + "', this app reads " + SCHEMA);
      }
      File bundle = o.isNull("bundle") || o.optString("bundle", "").isEmpty() ? defaultBundle
          : new File(o.getString("bundle"));
      if (bundle == null) {
        throw new IllegalArgumentException("the plan names no bundle and the app has none built in");
      }
      List<Case> cases = null;
      JSONArray cs = o.optJSONArray("cases");
      if (cs != null) {
        cases = new ArrayList<>();
        for (int i = 0; i < cs.length(); i++) {
          JSONObject c = cs.getJSONObject(i);
          cases.add(new Case(Benchmark.checkArtifactName(c.getString("artifact")), c.optInt("threads", 0)));
        }
      }
      JSONArray th = o.optJSONArray("threads");
      int[] threads = th == null ? new int[] {0} : Manifest.ints(th);
      return build(bundle, o.optInt("warmup", 5), o.optInt("iterations", 50), o.optBoolean("energy", false),
          cases, threads);
    } catch (JSONException e) {
      throw new IllegalArgumentException(file + " is not a valid plan: " + e.getMessage(), e);
    }
  }

  private static Plan build(File bundle, int warmup, int iterations, boolean energy, List<Case> cases,
      int[] threads) throws IOException {
    new Benchmark.Config(warmup, iterations, 0, energy); // the same checks as the intent extras
    if (cases == null) {
      cases = new ArrayList<>();
      for (Manifest.Artifact a : Manifest.load(bundle).artifacts) {
        if (a.platforms.contains("android") && (a.runtime.equals("executorch") || a.runtime.equals("onnxruntime"))) {
          for (int t : threads) {
            cases.add(new Case(a.file, t));
          }
        }
      }
    }
    if (cases.isEmpty()) {
      throw new IllegalArgumentException("the plan has no case this app can run (bundle " + bundle + ")");
    }
    return new Plan(bundle, warmup, iterations, energy, Collections.unmodifiableList(cases));
  }

  /**
   * The cases a game-loop scenario runs: scenario {@code k >= 1} is the k-th case alone, 0 (none given)
   * all of them.
   *
   * @param scenario the {@code scenario} extra of the TEST_LOOP intent
   * @return the cases
   * @throws IllegalArgumentException for a scenario beyond the plan
   */
  public List<Case> scenario(int scenario) {
    if (scenario <= 0) {
      return cases;
    }
    if (scenario > cases.size()) {
      throw new IllegalArgumentException("scenario " + scenario + " but the plan has " + cases.size() + " cases");
    }
    return Collections.singletonList(cases.get(scenario - 1));
  }
}
