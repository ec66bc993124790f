"""冻结管理: active holds, placing a hold on items by 档号 (or on their household), lifting."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect

from archive.models import Item
from retention import holds, queries
from retention.models import Hold
from retention.views.common import RetentionView, household_label, parse_day, require


class HoldsView(RetentionView):
    template_name = "retention/holds.html"
    page_title = "冻结管理"
    permission = "retention.view_hold"
    model = Hold

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        rows = []
        for hold in queries.active_holds(user):
            target = hold.item or hold.case or hold.household
            label = household_label(user, hold.household) if hold.household_id else str(target)
            rows.append({"hold": hold, "label": label})
        context.update(rows=rows, may_hold=user.has_perm("retention.place_hold"))
        return context

    def post(self, request, *args, **kwargs):
        require(request, "retention.place_hold", Hold)
        user = request.user
        if "lift" in request.POST:
            hold = Hold.objects.visible_to(user).filter(pk=request.POST.get("lift")).first()
            if hold is None:
                return self.refuse("未找到该冻结记录", request.path)
            reason = request.POST.get("lift_reason", "").strip()
            if not reason:
                return self.refuse("请填写解除冻结的原因", request.path)
            holds.lift([hold], user=user, reason=reason, request=request)
            messages.success(request, f"已解除冻结：{hold.target}")
            return redirect(request.path)
        numbers = [n.strip() for n in request.POST.get("archive_numbers", "").split() if n.strip()]
        until_raw = request.POST.get("until", "").strip()
        until = parse_day(until_raw)
        if until_raw and until is None:
            return self.refuse("冻结截止日期格式错误，应为 YYYY-MM-DD", request.path)
        if not numbers:
            return self.refuse("请填写要冻结的档号", request.path)
        found = {
            i.archive_number: i
            for i in Item.objects.visible_to(user).filter(archive_number__in=numbers)
        }
        missing = [n for n in numbers if n not in found]
        if missing:
            return self.refuse("档号不存在或不在本机构辖区内：" + "、".join(missing), request.path)
        try:
            if request.POST.get("scope") == "household":
                households = {i.household for i in found.values() if i.household_id}
                for household in households:
                    holds.place_on(
                        household,
                        reason=request.POST.get("reason", ""),
                        user=user,
                        until=until,
                        request=request,
                    )
            else:
                holds.place(
                    list(found.values()),
                    reason=request.POST.get("reason", ""),
                    user=user,
                    until=until,
                    request=request,
                )
        except holds.HoldError as exc:
            return self.refuse(str(exc), request.path)
        messages.success(request, "已冻结：" + "、".join(numbers))
        return redirect(request.path)
