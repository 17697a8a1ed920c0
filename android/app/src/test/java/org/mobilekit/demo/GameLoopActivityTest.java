package org.mobilekit.demo;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import android.content.Intent;
import android.net.Uri;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.Robolectric;
import org.robolectric.RobolectricTestRunner;
import org.robolectric.RuntimeEnvironment;
import org.robolectric.android.controller.ActivityController;
import org.robolectric.annotation.Config;

/**
 * The Firebase Test Lab game loop on the JVM: a TEST_LOOP intent with {@code scenario} and a results
 * URI runs a plan's case over the real bundle (ONNX Runtime) and writes a {@code mobilekit.gameloop/1}
 * document whose results validate against the result schema (checked in pytest).
 */
@RunWith(RobolectricTestRunner.class)
@Config(sdk = 35, manifest = Config.NONE)
public class GameLoopActivityTest {
  @Test
  public void testLoopRunsThePlanAndWritesToTheUri() throws Exception {
    File bundle = ActivityTestSupport.bundle();
    File out = ActivityTestSupport.results("gameloop");
    File plan = new File(out, "plan.json");
    Files.write(plan.toPath(), new JSONObject()
        .put("schema", "mobilekit.plan/1").put("bundle", bundle.getPath()).put("warmup", 1).put("iterations", 5)
        .put("cases", new JSONArray().put(new JSONObject()
            .put("artifact", ActivityTestSupport.onnxArtifact(bundle)).put("threads", 1))
            .put(new JSONObject().put("artifact", "missing.onnx").put("threads", 1)))
        .toString().getBytes(StandardCharsets.UTF_8));
    File results = new File(out, "results.json");
    results.delete();
    Intent loop = new Intent(GameLoopActivity.ACTION)
        .setClass(RuntimeEnvironment.getApplication(), GameLoopActivity.class)
        .setDataAndType(Uri.fromFile(results), "application/javascript")
        .putExtra("scenario", 0)
        .putExtra(GameLoopActivity.EXTRA_PLAN, plan.getPath());
    ActivityController<GameLoopActivity> c = Robolectric.buildActivity(GameLoopActivity.class, loop).setup();
    ActivityTestSupport.idleUntil("finish()", 120_000, () -> c.get().isFinishing());
    JSONObject doc = new JSONObject(ActivityTestSupport.read(results));
    assertEquals("mobilekit.gameloop/1", doc.getString("schema"));
    assertEquals(1, doc.getJSONArray("results").length());
    JSONArray errors = doc.getJSONArray("errors");
    assertEquals(1, errors.length());
    assertTrue(errors.toString(), errors.getJSONObject(0).getString("error").contains("unknown artifact 'missing.onnx'"));
    System.out.println("FIGURE robolectric_gameloop results=1 errors=1");
  }
}
