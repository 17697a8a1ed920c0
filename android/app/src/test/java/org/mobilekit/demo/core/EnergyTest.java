package org.mobilekit.demo.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.json.JSONObject;
import org.junit.Test;

public class EnergyTest {
  private static List<BatterySample> steady(int ua, int mv, int n) {
    BatterySample[] s = new BatterySample[n];
    for (int i = 0; i < n; i++) {
      s[i] = new BatterySample(i * 100_000_000L, ua, mv, null);
    }
    return Arrays.asList(s);
  }

  @Test
  public void netEnergyPerInference() throws Exception {
    // 500 mA at 4 V = 2 W for 2 s = 4 J; idle 100 mA at 4 V = 0.4 W -> 0.8 J; (4 - 0.8) J / 100 = 32 mJ
    JSONObject e = Energy.estimate(steady(-100_000, 4000, 10), steady(-500_000, 4000, 20), 2.0, 100, false);
    assertEquals("batterymanager", e.getString("method"));
    assertEquals(500.0, e.getDouble("avg_current_ma"), 1e-9);
    assertEquals(4.0, e.getDouble("avg_voltage_v"), 1e-9);
    assertEquals(4.0, e.getDouble("joules"), 1e-9);
    assertEquals(400.0, e.getDouble("baseline_mw"), 1e-9);
    assertEquals(32.0, e.getDouble("mj_per_inference"), 1e-9);
    assertEquals(20, e.getInt("samples"));
    assertTrue(e.getBoolean("valid"));
    assertTrue(e.isNull("invalid_reason"));
  }

  @Test
  public void chargingIsInvalidWithAReason() throws Exception {
    JSONObject e = Energy.estimate(Collections.<BatterySample>emptyList(), steady(300_000, 4200, 5), 1.0, 10, true);
    assertFalse(e.getBoolean("valid"));
    assertTrue(e.getString("invalid_reason").contains("charger"));
    assertTrue(e.isNull("baseline_mw"));
  }

  @Test
  public void noReadingsIsInvalid() throws Exception {
    List<BatterySample> none = Collections.singletonList(new BatterySample(0, null, 4000, null));
    JSONObject e = Energy.estimate(none, none, 1.0, 10, false);
    assertFalse(e.getBoolean("valid"));
    assertFalse(e.has("joules"));
  }
}
