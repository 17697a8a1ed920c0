package org.mobilekit.demo.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.fail;

import java.io.File;
import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.Test;

public class StatsTest {
  @Test
  public void matchesNumpyOnASmallSample() {
    Stats s = Stats.of(new double[] {4, 1, 3, 2});
    assertEquals(2.5, s.p50, 1e-12);
    assertEquals(3.7, s.p90, 1e-12); // np.percentile([1,2,3,4], 90)
    assertEquals(2.5, s.mean, 1e-12);
    assertEquals(Math.sqrt(1.25), s.std, 1e-12); // np.std, ddof 0
    assertEquals(1, s.min, 0);
    assertEquals(4, s.max, 0);
  }

  @Test
  public void oneValue() {
    Stats s = Stats.of(new double[] {0.42});
    assertEquals(0.42, s.p99, 0);
    assertEquals(0, s.std, 0);
  }

  @Test
  public void noValuesIsAnError() {
    try {
      Stats.of(new double[0]);
      fail();
    } catch (IllegalArgumentException expected) {
      // the message says at least one iteration is needed
    }
  }

  @Test
  public void matchesNumpyOnThePythonReference() throws Exception {
    JSONObject ref = TestFiles.json(new File(TestFiles.reference(), "stats.json"));
    JSONArray v = ref.getJSONArray("values");
    double[] values = new double[v.length()];
    for (int i = 0; i < values.length; i++) {
      values[i] = v.getDouble(i);
    }
    Stats s = Stats.of(values);
    assertEquals(ref.getDouble("p50"), s.p50, 1e-9);
    assertEquals(ref.getDouble("p90"), s.p90, 1e-9);
    assertEquals(ref.getDouble("p99"), s.p99, 1e-9);
    assertEquals(ref.getDouble("mean"), s.mean, 1e-9);
    assertEquals(ref.getDouble("std"), s.std, 1e-9);
    assertEquals(ref.getDouble("min"), s.min, 0);
    assertEquals(ref.getDouble("max"), s.max, 0);
  }
}
