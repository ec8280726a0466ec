package dev.slipway.console.rest;

import dev.slipway.console.client.ApiModel.Application;
import dev.slipway.console.client.ApiModel.Approval;
import dev.slipway.console.client.ApiModel.AuditEvent;
import dev.slipway.console.client.ApiModel.Build;
import dev.slipway.console.client.ApiModel.Checkpoint;
import dev.slipway.console.client.ApiModel.Exposure;
import dev.slipway.console.client.ApiModel.Release;
import dev.slipway.console.client.ApiModel.RolloutDetail;
import dev.slipway.console.client.ApiModel.Scan;
import dev.slipway.console.client.ApiModel.Verification;
import dev.slipway.console.view.AuditView;
import dev.slipway.console.view.Overview;
import dev.slipway.console.view.RolloutView;
import dev.slipway.console.view.RunPipeline;
import dev.slipway.console.view.ScanView;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;

/** The console's pages: type-checked Qute templates in {@code templates/}. */
@CheckedTemplate
public final class Pages {

  private Pages() {}

  static native TemplateInstance login(PageContext page, String next, boolean oidc, String refusal);

  static native TemplateInstance apps(PageContext page, List<Overview.AppCard> apps);

  static native TemplateInstance app(
      PageContext page,
      Application application,
      Map<String, List<Release>> releases,
      List<Overview.RunRow> runs);

  static native TemplateInstance run(
      PageContext page,
      String application,
      String runId,
      Build build,
      List<RunPipeline.Stage> stages,
      List<AuditEvent> timeline,
      boolean live);

  static native TemplateInstance build(
      PageContext page, Build build, String log, long lastLine, List<Build> attempts);

  static native TemplateInstance scan(
      PageContext page,
      Scan scan,
      List<ScanView.SeverityGroup> groups,
      List<ScanView.IgnoreRow> ignores);

  static native TemplateInstance rollout(
      PageContext page,
      RolloutDetail detail,
      List<RolloutView.StepGroup> steps,
      Release restorable);

  static native TemplateInstance approvals(
      PageContext page, List<Approval> pending, List<Approval> decided);

  static native TemplateInstance exposure(PageContext page, String query, Exposure exposure);

  static native TemplateInstance audit(
      PageContext page,
      AuditView.Search search,
      List<AuditEvent> events,
      Checkpoint checkpoint,
      Verification verification,
      List<AuditView.DoraCard> dora);

  static native TemplateInstance error(PageContext page, int status, String heading, String detail);

  /** A plain HTML problem page (no session needed), for refusals made before any page is built. */
  static Response problem(int status, String heading, String detail) {
    PageContext page = new PageContext(heading, "", null, null, new java.util.ArrayList<>());
    return Response.status(status)
        .type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8"))
        .entity(error(page, status, heading, detail).render())
        .build();
  }
}
