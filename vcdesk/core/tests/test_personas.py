from vcdesk.accounts.choices import Role


def test_personas_have_their_role_and_contacts_their_organisation(
    duty_officer, contact_of_a, org_a
):
    assert duty_officer.user.role == Role.DUTY_OFFICER
    assert not duty_officer.user.is_customer_contact
    assert contact_of_a.user.role == Role.CUSTOMER_CONTACT
    assert contact_of_a.user.organisation == org_a
