package dev.tokenbroker.api.database;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;

/**
 * Gives each request a {@link RequestDatabaseBudget} ({@code broker.database.request-timeout}) for as long as its
 * filter chain runs. First in the chain: the token fetch's fast path and the security filters touch the
 * database too.
 *
 * <p>Not for {@code /v1/admin/} and {@code /v1/audit/}: an operator's KEK rotation, chain verification or hand-out
 * report runs as long as its work takes, on a database that may simply be large.
 */
final class RequestDatabaseBudgetFilter implements Filter {

    private final Duration budget;

    RequestDatabaseBudgetFilter(Duration budget) {
        this.budget = Objects.requireNonNull(budget, "budget");
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (operatorWork(request)) {
            chain.doFilter(request, response);
            return;
        }
        boolean outer = RequestDatabaseBudget.begin(budget);
        try {
            chain.doFilter(request, response);
        } finally {
            if (outer) {
                RequestDatabaseBudget.end();
            }
        }
    }

    private static boolean operatorWork(ServletRequest request) {
        String uri = request instanceof HttpServletRequest http ? http.getRequestURI() : "";
        return uri.startsWith("/v1/admin/") || uri.startsWith("/v1/audit/");
    }
}
