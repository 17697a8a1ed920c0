package org.mobilekit.demo;

import android.app.KeyguardManager;
import android.content.Context;
import android.content.Intent;
import android.content.IntentFilter;
import android.content.pm.PackageInfo;
import android.content.pm.PackageManager;
import android.os.BatteryManager;
import android.os.Build;
import android.os.Debug;
import android.os.PowerManager;
import org.json.JSONException;
import org.json.JSONObject;
import org.mobilekit.demo.core.EnergyMeter;
import org.mobilekit.demo.core.Probes;

/** The Android side of {@link Probes}: Build, Debug.MemoryInfo, PowerManager and BatteryManager. */
final class AndroidProbes implements Probes {
  private final Context context;

  AndroidProbes(Context context) {
    this.context = context.getApplicationContext();
  }

  @Override
  public JSONObject device() throws JSONException {
    JSONObject d = new JSONObject();
    d.put("manufacturer", Build.MANUFACTURER);
    d.put("model", Build.MODEL);
    if (Build.VERSION.SDK_INT >= 31) {
      d.put("soc", Build.SOC_MANUFACTURER + " " + Build.SOC_MODEL);
    } else {
      d.put("soc", Build.HARDWARE);
    }
    d.put("abi", Build.SUPPORTED_ABIS.length > 0 ? Build.SUPPORTED_ABIS[0] : "unknown");
    d.put("android_sdk", Build.VERSION.SDK_INT);
    d.put("os_version", Build.VERSION.RELEASE);
    d.put("cores", Runtime.getRuntime().availableProcessors());
    return d;
  }

  @Override
  public JSONObject app() throws JSONException {
    JSONObject a = new JSONObject();
    a.put("package", context.getPackageName());
    try {
      PackageInfo info = context.getPackageManager().getPackageInfo(context.getPackageName(), 0);
      a.put("version", String.valueOf(info.versionName));
    } catch (PackageManager.NameNotFoundException e) {
      a.put("version", "unknown");
    }
    a.put("platform", "android");
    return a;
  }

  @Override
  public Integer pssKb() {
    Debug.MemoryInfo mi = new Debug.MemoryInfo();
    Debug.getMemoryInfo(mi);
    int pss = mi.getTotalPss();
    return pss > 0 ? pss : null;
  }

  @Override
  public Integer thermalStatus() {
    if (Build.VERSION.SDK_INT < 29) {
      return null;
    }
    PowerManager pm = (PowerManager) context.getSystemService(Context.POWER_SERVICE);
    return pm == null ? null : pm.getCurrentThermalStatus();
  }

  @Override
  public Double batteryTempC() {
    Intent battery = context.registerReceiver(null, new IntentFilter(Intent.ACTION_BATTERY_CHANGED));
    if (battery == null) {
      return null;
    }
    int tenths = battery.getIntExtra(BatteryManager.EXTRA_TEMPERATURE, Integer.MIN_VALUE);
    return tenths == Integer.MIN_VALUE ? null : tenths / 10.0;
  }

  @Override
  public JSONObject deviceState() throws JSONException {
    JSONObject s = new JSONObject();
    PowerManager pm = (PowerManager) context.getSystemService(Context.POWER_SERVICE);
    KeyguardManager km = (KeyguardManager) context.getSystemService(Context.KEYGUARD_SERVICE);
    s.put("screen_on", pm == null ? JSONObject.NULL : (Object) pm.isInteractive());
    s.put("keyguard_locked", km == null ? JSONObject.NULL : (Object) km.isKeyguardLocked());
    s.put("power_save", pm == null ? JSONObject.NULL : (Object) pm.isPowerSaveMode());
    Integer thermal = thermalStatus();
    s.put("thermal_status", thermal == null ? JSONObject.NULL : thermal);
    Intent battery = context.registerReceiver(null, new IntentFilter(Intent.ACTION_BATTERY_CHANGED));
    int plugged = battery == null ? -1 : battery.getIntExtra(BatteryManager.EXTRA_PLUGGED, -1);
    s.put("plugged", plugged < 0 ? JSONObject.NULL : (Object) plugged);
    s.put("sysfs_usb_online", orNull(BatteryMeter.readInt(BatteryMeter.SYSFS + "/usb/online")));
    s.put("sysfs_battery_status", orNull(BatteryMeter.readLine(BatteryMeter.SYSFS + "/battery/status")));
    return s;
  }

  private static Object orNull(Object v) {
    return v == null ? JSONObject.NULL : v;
  }

  @Override
  public EnergyMeter energyMeter() {
    BatteryManager bm = (BatteryManager) context.getSystemService(Context.BATTERY_SERVICE);
    return bm == null ? null : new BatteryMeter(context, bm, 100);
  }
}
