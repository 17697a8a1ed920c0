@rem Gradle wrapper for the mobilekit demo (Windows). Runs the Gradle version pinned in
@rem gradle\wrapper\gradle-wrapper.properties through gradle\wrapper\gradle-wrapper.jar.
@rem The jar is not committed: Android Studio writes it on first sync, or run once
@rem   gradle wrapper --gradle-version 8.9
@rem with any installed Gradle (see android\README.md).
@if "%DEBUG%"=="" @echo off
setlocal
set APP_HOME=%~dp0
set JAR=%APP_HOME%gradle\wrapper\gradle-wrapper.jar
if not exist "%JAR%" (
  echo gradlew.bat: %JAR% is missing. Open the project in Android Studio once, or run "gradle wrapper --gradle-version 8.9". 1>&2
  exit /b 1
)
if defined JAVA_HOME (set JAVACMD=%JAVA_HOME%\bin\java.exe) else (set JAVACMD=java.exe)
"%JAVACMD%" %JAVA_OPTS% %GRADLE_OPTS% -Dorg.gradle.appname=gradlew -classpath "%JAR%" org.gradle.wrapper.GradleWrapperMain %*
exit /b %ERRORLEVEL%
