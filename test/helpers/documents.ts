/** GraphQL documents shared by the suites. */
export const TICKET_FIELDS = `
  id number subject body bodyHtml type status priority server notify due version
  createdAt updatedAt closedAt deletedAt
  category { key } tags { key } assignees { username } cc { username } creator { username }
`;

export const CREATE = `mutation($input: TicketCreateInput!) {
  ticketCreate(input: $input) { ticket { ${TICKET_FIELDS} } userErrors { field message code } }
}`;

export const UPDATE = `mutation($id: ID!, $input: TicketUpdateInput!) {
  ticketUpdate(id: $id, input: $input) { ticket { ${TICKET_FIELDS} } userErrors { field message code } }
}`;

export const CHANGES = `query($id: ID!) {
  ticket(id: $id) { version changes(first: 100) { totalCount edges { node {
    id type field oldValue newValue added removed body author { username } createdAt editedAt
  } } } }
}`;

export const COMMENT_ADD = `mutation($input: CommentAddInput!) {
  commentAdd(input: $input) { change { id type body bodyHtml author { username } createdAt editedAt } userErrors { field message code } }
}`;
