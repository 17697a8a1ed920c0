import java.io.File;
import org.codehaus.groovy.control.CompilationUnit;
import org.codehaus.groovy.control.CompilerConfiguration;
import org.codehaus.groovy.control.Phases;

/**
 * Parses Gradle build scripts with Groovy's own parser (Groovy 4, the Parrot grammar Gradle 8's Groovy 3 also
 * uses), up to the CONVERSION phase: a syntax error (an unclosed brace, a stray token) fails, names are not
 * resolved (Gradle's and the Android plugin's classes are not here). check.sh runs it on every *.gradle file.
 *   java -cp groovy.jar:. ParseGradle FILE...
 */
public final class ParseGradle {
  private ParseGradle() {}

  public static void main(String[] args) {
    int failed = 0;
    for (String path : args) {
      CompilationUnit unit = new CompilationUnit(new CompilerConfiguration());
      unit.addSource(new File(path));
      try {
        unit.compile(Phases.CONVERSION);
        System.out.println("parsed " + path);
      } catch (RuntimeException e) {
        failed++;
        System.out.println("cannot parse " + path + ": " + e.getMessage());
      }
    }
    System.exit(failed == 0 ? 0 : 1);
  }
}
