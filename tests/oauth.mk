# SPDX-License-Identifier: GPL-3.0-or-later
# XOAUTH2 and OAUTHBEARER with the token from smtp_sasl_oauth_token_command,
# end to end through tests/fakesmtp (built by tests/fake.mk).
TESTS += tests/oauth.sh
EXTRA_DIST += tests/oauth.sh
