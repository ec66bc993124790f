from django.apps import AppConfig

# Staff of the casework posts may ask for a loan for their work; the archivist runs the desk
# (approves — never their own request —, issues, counts the return, resolves incidents) and
# reads originals on screen by role; the inspector sees everything read-only.
_REQUEST = ["loans.view_loan", "loans.add_loan"]


class LoansConfig(AppConfig):
    name = "loans"
    verbose_name = "借阅"
    # Permissions this app adds to roles (archive.roles merges them after every migrate).
    hedang_role_permissions: dict[str, list[str]] = {
        "委托受理": _REQUEST,
        "审核确认": _REQUEST,
        "核对报告": _REQUEST,
        "信息管理": _REQUEST,
        "安全管理": ["loans.view_loan", "loans.view_readingevent"],
        "档案管理员": [
            *_REQUEST,
            "loans.change_loan",
            "loans.approve_loan",
            "loans.issue_loan",
            "loans.read_electronic",
            "loans.export_loan_register",
            "loans.view_readingevent",
        ],
        "监督检查": [
            "loans.view_loan",
            "loans.inspect_loans",
            "loans.export_loan_register",
            "loans.view_readingevent",
        ],
    }
