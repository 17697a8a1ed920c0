package org.mobilekit.demo.core;

import java.util.ArrayList;
import java.util.List;
import org.json.JSONException;
import org.json.JSONObject;

/** Probes for the desktop JVM: labelled as a test double, with a battery that reads steady values. */
final class FakeProbes implements Probes {
  @Override
  public JSONObject device() throws JSONException {
    JSONObject d = new JSONObject();
    d.put("manufacturer", "mobilekit");
    d.put("model", "desktop JVM (test double, not a phone)");
    d.put("abi", System.getProperty("os.arch"));
    d.put("android_sdk", JSONObject.NULL);
    d.put("os_version", System.getProperty("os.name") + " / Java " + System.getProperty("java.version"));
    d.put("cores", Runtime.getRuntime().availableProcessors());
    return d;
  }

  @Override
  public JSONObject app() throws JSONException {
    JSONObject a = new JSONObject();
    a.put("package", "org.mobilekit.demo");
    a.put("version", "jvm-check");
    a.put("platform", "android");
    return a;
  }

  @Override
  public Integer pssKb() {
    Runtime r = Runtime.getRuntime();
    return (int) ((r.totalMemory() - r.freeMemory()) / 1024);
  }

  @Override
  public Integer thermalStatus() {
    return 0;
  }

  @Override
  public Double batteryTempC() {
    return 25.0;
  }

  @Override
  public JSONObject deviceState() throws JSONException {
    JSONObject s = new JSONObject();
    s.put("screen_on", true);
    s.put("keyguard_locked", false);
    s.put("power_save", false);
    s.put("thermal_status", 0);
    s.put("plugged", 0);
    s.put("sysfs_usb_online", JSONObject.NULL);
    s.put("sysfs_battery_status", "Discharging");
    return s;
  }

  @Override
  public EnergyMeter energyMeter() {
    return new EnergyMeter() {
      private long started;
      private int starts;

      @Override
      public void start() {
        started = System.nanoTime();
        starts++;
      }

      @Override
      public List<BatterySample> stop() {
        List<BatterySample> out = new ArrayList<>();
        long now = System.nanoTime();
        // first start = idle baseline (150 mA), second = the run (450 mA), at 3.9 V
        int ua = starts == 1 ? -150_000 : -450_000;
        for (long t = started; t <= now; t += 100_000_000L) {
          out.add(new BatterySample(System.currentTimeMillis(), ua, 3900, 0, 3, null, (long) ua, 3_900_000L,
              "Discharging", 0, 0));
        }
        return out;
      }
    };
  }
}
