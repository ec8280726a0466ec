package dev.slipway.scan.policy;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Decides whether a component's licences break a list of denied SPDX ids. Ids compare after
 * normalisation ({@link SpdxId}: case, deprecated ids, {@code +} and {@code -or-later}). A denied
 * {@code X-or-later} denies that version of X and every later one; a component under {@code
 * X-or-later} is denied only when every version it may be used under is denied ({@code GPL-2.0+}
 * passes a policy that denies only {@code GPL-2.0-only}, since it may be used under GPL-3.0). An
 * expression is read as SPDX defines it: {@code A OR B} is denied only when both are, {@code A AND
 * B} when either is, {@code A WITH exception} as {@code A}. Several licences listed for one
 * component all apply.
 */
public final class LicensePolicy {

  private final Set<SpdxId> denied = new LinkedHashSet<>();

  public LicensePolicy(List<String> deniedIds) {
    for (String id : deniedIds) {
      denied.addAll(SpdxId.of(id).choices());
      SpdxId parsed = SpdxId.of(id);
      if (parsed.orLater()) {
        denied.add(parsed);
      }
    }
  }

  /** The licences of {@code licenses} (ids or expressions) that the policy denies. */
  public List<String> deniedOf(List<String> licenses) {
    List<String> result = new ArrayList<>();
    if (denied.isEmpty()) {
      return result;
    }
    for (String license : licenses) {
      if (isDenied(license)) {
        result.add(license);
      }
    }
    return result;
  }

  /** Whether one id or expression is denied. */
  public boolean isDenied(String expression) {
    try {
      Parser parser = new Parser(expression);
      boolean result = parser.orExpression();
      return parser.atEnd() ? result : deniedId(expression.trim());
    } catch (IllegalArgumentException e) {
      // Not an expression SPDX allows: judge it as one name.
      return deniedId(expression.trim());
    }
  }

  private boolean deniedId(String id) {
    SpdxId license = SpdxId.of(id);
    return denied.contains(license) || license.choices().stream().allMatch(denied::contains);
  }

  /** Recursive descent over SPDX license expressions: OR binds looser than AND. */
  private final class Parser {
    private final List<String> tokens = new ArrayList<>();
    private int next;

    Parser(String text) {
      for (String raw : text.replace("(", " ( ").replace(")", " ) ").trim().split("\\s+")) {
        if (!raw.isEmpty()) {
          tokens.add(raw);
        }
      }
      if (tokens.isEmpty()) {
        throw new IllegalArgumentException("empty");
      }
    }

    boolean atEnd() {
      return next == tokens.size();
    }

    boolean orExpression() {
      boolean result = andExpression();
      while (peekIs("OR")) {
        next++;
        result = andExpression() && result;
      }
      return result;
    }

    boolean andExpression() {
      boolean result = term();
      while (peekIs("AND")) {
        next++;
        result = term() || result;
      }
      return result;
    }

    boolean term() {
      if (atEnd()) {
        throw new IllegalArgumentException("expression ends early");
      }
      String token = tokens.get(next++);
      boolean result;
      if ("(".equals(token)) {
        result = orExpression();
        if (atEnd() || !")".equals(tokens.get(next++))) {
          throw new IllegalArgumentException("unbalanced parenthesis");
        }
      } else if (")".equals(token) || isOperator(token)) {
        throw new IllegalArgumentException("unexpected " + token);
      } else {
        result = deniedId(token);
      }
      if (peekIs("WITH")) {
        next += 2;
      }
      return result;
    }

    private boolean peekIs(String operator) {
      return !atEnd() && tokens.get(next).equalsIgnoreCase(operator);
    }

    private boolean isOperator(String token) {
      return token.equalsIgnoreCase("AND")
          || token.equalsIgnoreCase("OR")
          || token.equalsIgnoreCase("WITH");
    }
  }
}
