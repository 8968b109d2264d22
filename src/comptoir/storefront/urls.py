from django.urls import path

from comptoir.storefront import (
    views,
    views_account,
    views_approvals,
    views_assisting,
    views_cart,
    views_checkout,
    views_company,
    views_company_approvals,
    views_company_members,
    views_contact,
    views_content,
    views_dev,
    views_finance,
    views_ordering,
    views_orders,
    views_portal,
    views_quotes,
    views_reviews,
    views_wishlist,
)

app_name = "storefront"
urlpatterns = [
    path("", views.home, name="home"),
    path("c/<slug:slug>/", views.category, name="category"),
    path("p/<slug:slug>/", views.product, name="product"),
    path("p/<slug:slug>/reviews", views_reviews.review_post, name="review_post"),
    path("p/<slug:slug>/questions", views_reviews.question_post, name="question_post"),
    path("reviews/<int:review_id>/vote", views_reviews.review_vote, name="review_vote"),
    path("questions/<int:question_id>/answers", views_reviews.answer_post, name="answer_post"),
    path("search", views.search, name="search"),
    path("search/suggestions", views.search_suggestions, name="search_suggestions"),
    path("cart/", views_cart.cart, name="cart"),
    path("cart/add", views_cart.cart_add, name="cart_add"),
    path("cart/drawer", views_cart.cart_drawer, name="cart_drawer"),
    path("cart/lines/<str:line_id>", views_cart.line_change, name="cart_line"),
    path("cart/coupons", views_cart.coupon_add, name="cart_coupon_add"),
    path("cart/coupons/remove", views_cart.coupon_delete, name="cart_coupon_remove"),
    path("checkout/", views_checkout.checkout, name="checkout"),
    path("checkout/return", views_checkout.checkout_return, name="checkout_return"),
    path(
        "checkout/cancel-payment",
        views_checkout.checkout_cancel_payment,
        name="checkout_cancel_payment",
    ),
    path("orders/<str:token>/", views_orders.order_confirmation, name="order_confirmation"),
    path("account/orders/", views_orders.account_orders, name="account_orders"),
    path("account/orders/<str:number>/", views_orders.account_order, name="account_order"),
    path("account/reviews/", views_reviews.account_reviews, name="account_reviews"),
    path(
        "account/reviews/<int:review_id>/",
        views_reviews.account_review_edit,
        name="account_review_edit",
    ),
    path(
        "account/reviews/<int:review_id>/delete",
        views_reviews.account_review_delete,
        name="account_review_delete",
    ),
    # --- customer account, wishlist, content pages (issue 5) ---
    path("account/", views_account.account_home, name="account"),
    path("assist/start", views_assisting.assist_start, name="assist_start"),
    path("assist/stop", views_assisting.assist_stop, name="assist_stop"),
    path("account/profile/", views_account.account_profile, name="account_profile"),
    path("account/password/", views_account.account_password, name="account_password"),
    path("account/addresses/", views_account.account_addresses, name="account_addresses"),
    path("account/addresses/new/", views_account.account_address_add, name="account_address_add"),
    path(
        "account/addresses/<int:address_id>/",
        views_account.account_address_edit,
        name="account_address_edit",
    ),
    path(
        "account/addresses/<int:address_id>/delete",
        views_account.account_address_delete,
        name="account_address_delete",
    ),
    path(
        "account/addresses/<int:address_id>/default",
        views_account.account_address_default,
        name="account_address_default",
    ),
    path("account/wishlist/", views_wishlist.wishlist_page, name="wishlist"),
    # --- B2B portal (issue 6) ---
    path("account/company/documents/", views_portal.portal_documents, name="portal_documents"),
    path("account/approvals/", views_approvals.account_approvals, name="account_approvals"),
    path(
        "account/company/approvals/",
        views_company_approvals.company_approvals,
        name="company_approvals",
    ),
    path(
        "account/company/approvals/rules/<int:rule_id>/delete",
        views_company_approvals.company_rule_delete,
        name="company_rule_delete",
    ),
    path(
        "account/company/approvals/budgets/<int:budget_id>/delete",
        views_company_approvals.company_budget_delete,
        name="company_budget_delete",
    ),
    path(
        "account/approvals/<int:approval_id>/",
        views_approvals.account_approval,
        name="account_approval",
    ),
    path(
        "account/approvals/<int:approval_id>/decide",
        views_approvals.account_approval_decide,
        name="account_approval_decide",
    ),
    path(
        "account/company/documents/<int:document_id>/file",
        views_portal.portal_document_file,
        name="portal_document_file",
    ),
    path("account/wishlist/share", views_wishlist.wishlist_share_regenerate, name="wishlist_share"),
    path(
        "account/wishlist/<str:item_id>/remove",
        views_wishlist.wishlist_remove,
        name="wishlist_remove",
    ),
    path("account/wishlist/<str:item_id>/move", views_wishlist.wishlist_move, name="wishlist_move"),
    path("wishlist/add", views_wishlist.wishlist_add, name="wishlist_add"),
    path("wishlist/shared/<str:token>/", views_wishlist.wishlist_shared, name="wishlist_shared"),
    path("pages/<slug:slug>/", views_content.content_page, name="content_page"),
    # --- end of account, wishlist, content pages ---
    # --- B2B ordering tools (issue 6): quick order, requisition lists, reorder ---
    path("quick-order/", views_ordering.quick_order, name="quick_order"),
    path("account/orders/<str:number>/reorder", views_ordering.order_reorder, name="reorder"),
    path(
        "account/requisition-lists/",
        views_ordering.requisition_lists,
        name="requisition_lists",
    ),
    path(
        "account/requisition-lists/add-item",
        views_ordering.requisition_item_add,
        name="requisition_item_add",
    ),
    path(
        "account/requisition-lists/from-cart",
        views_ordering.requisition_list_from_cart,
        name="requisition_list_from_cart",
    ),
    path(
        "account/requisition-lists/<str:list_id>/",
        views_ordering.requisition_list,
        name="requisition_list",
    ),
    path(
        "account/requisition-lists/<str:list_id>/lines",
        views_ordering.requisition_line_add,
        name="requisition_line_add",
    ),
    path(
        "account/requisition-lists/<str:list_id>/lines/<str:line_id>/remove",
        views_ordering.requisition_line_remove,
        name="requisition_line_remove",
    ),
    path(
        "account/requisition-lists/<str:list_id>/rename",
        views_ordering.requisition_list_rename,
        name="requisition_list_rename",
    ),
    path(
        "account/requisition-lists/<str:list_id>/delete",
        views_ordering.requisition_list_delete,
        name="requisition_list_delete",
    ),
    path(
        "account/requisition-lists/<str:list_id>/copy",
        views_ordering.requisition_list_copy,
        name="requisition_list_copy",
    ),
    # --- end of B2B ordering tools ---
    # --- B2B quotes (issue 6) ---
    path("account/quotes/", views_quotes.quotes_list, name="quotes"),
    path("account/quotes/new/", views_quotes.quote_new, name="quote_new"),
    path("account/quotes/from-cart", views_quotes.quote_from_cart, name="quote_from_cart"),
    path("account/quotes/<str:number>/", views_quotes.quote_detail, name="quote"),
    path("account/quotes/<str:number>/accept", views_quotes.quote_accept, name="quote_accept"),
    path("account/quotes/<str:number>/pdf", views_quotes.quote_pdf_download, name="quote_pdf"),
    path(
        "account/quotes/<str:number>/attachments",
        views_quotes.quote_attach,
        name="quote_attach",
    ),
    path(
        "account/quotes/<str:number>/attachments/<int:attachment_id>",
        views_quotes.quote_attachment,
        name="quote_attachment",
    ),
    path(
        "account/quotes/<str:number>/<slug:action>",
        views_quotes.quote_action,
        name="quote_action",
    ),
    # --- end of B2B quotes ---
    # --- B2B company administration: profile, addresses, members, roles, joining ---
    path("account/company/", views_company.company_profile, name="company_profile"),
    path("account/company/join/", views_company.company_join, name="company_join"),
    path("account/company/addresses/", views_company.company_addresses, name="company_addresses"),
    path(
        "account/company/addresses/new/",
        views_company.company_address_add,
        name="company_address_add",
    ),
    path(
        "account/company/addresses/<int:address_id>/",
        views_company.company_address_edit,
        name="company_address_edit",
    ),
    path(
        "account/company/addresses/<int:address_id>/delete",
        views_company.company_address_delete,
        name="company_address_delete",
    ),
    path(
        "account/company/members/",
        views_company_members.company_members,
        name="company_members",
    ),
    path(
        "account/company/members/<int:member_id>/change",
        views_company_members.company_member_change,
        name="company_member_change",
    ),
    path(
        "account/company/members/<int:member_id>/remove",
        views_company_members.company_member_remove,
        name="company_member_remove",
    ),
    path(
        "account/company/invitations/new",
        views_company_members.company_invitation_create,
        name="company_invitation_create",
    ),
    path(
        "account/company/invitations/<int:invitation_id>/revoke",
        views_company_members.company_invitation_revoke,
        name="company_invitation_revoke",
    ),
    path(
        "account/company/invitations/<str:token>/",
        views_company.invitation_accept,
        name="company_invitation_accept",
    ),
    path(
        "account/company/join-requests/<int:request_id>/<slug:decision>",
        views_company_members.company_join_request_decide,
        name="company_join_request_decide",
    ),
    path("account/company/roles/", views_company_members.company_roles, name="company_roles"),
    path(
        "account/company/roles/<int:role_id>/",
        views_company_members.company_role_edit,
        name="company_role_edit",
    ),
    path(
        "account/company/roles/<int:role_id>/delete",
        views_company_members.company_role_delete,
        name="company_role_delete",
    ),
    # --- end of B2B company administration ---
    # --- B2B portal: invoices, credit and statement, account manager ---
    path("account/company/invoices/", views_finance.company_invoices, name="company_invoices"),
    path(
        "account/company/invoices/<str:number>/",
        views_finance.company_invoice,
        name="company_invoice",
    ),
    path(
        "account/company/invoices/<str:number>.pdf",
        views_finance.company_invoice_pdf,
        name="company_invoice_pdf",
    ),
    path(
        "account/company/invoices/<str:number>.xml",
        views_finance.company_invoice_ubl,
        name="company_invoice_ubl",
    ),
    path("account/company/statement/", views_finance.company_statement, name="company_statement"),
    path(
        "account/company/statement.pdf",
        views_finance.company_statement_pdf,
        name="company_statement_pdf",
    ),
    path("account/company/contact/", views_contact.company_contact, name="company_contact"),
    # --- end of invoices, credit and statement, account manager ---
    path("_dev/mail/", views_dev.mail_index, name="dev_mail"),
    path("_dev/mail/<str:message_id>/", views_dev.mail_detail, name="dev_mail_detail"),
]
