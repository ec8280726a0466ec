package dev.slipway.scan.service;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Decides whether a component's licences break a list of denied SPDX ids. A licence expression is
 * read as SPDX defines it: {@code A OR B} is denied only when both are (the user may pick the
 * other), {@code A AND B} when either is, {@code A WITH exception} as {@code A}; ids compare
 * without case and {@code GPL-2.0+} as {@code GPL-2.0+} or {@code GPL-2.0}. Several licences listed
 * for one component all apply.
 */
public final class LicensePolicy {

  private final Set<String> denied;

  public LicensePolicy(List<String> deniedIds) {
    this.denied =
        deniedIds.stream().map(id -> id.toUpperCase(Locale.ROOT)).collect(Collectors.toSet());
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
    String upper = id.toUpperCase(Locale.ROOT);
    return denied.contains(upper)
        || (upper.endsWith("+") && denied.contains(upper.substring(0, upper.length() - 1)));
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
      boolean denied = andExpression();
      while (peekIs("OR")) {
        next++;
        denied = andExpression() && denied;
      }
      return denied;
    }

    boolean andExpression() {
      boolean denied = term();
      while (peekIs("AND")) {
        next++;
        denied = term() || denied;
      }
      return denied;
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
