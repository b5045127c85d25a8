/**
 * Builders of webhook bodies in the formats the systems really send, for your tests: each
 * default is an event the parser sends on (a finished order with the guest's phone); options
 * change the status, the phone, the ids. Each returns the body as text, ready for
 * {@link webhookRequest}.
 */

/** Options of {@link iikoDeliveryOrderUpdate}. */
export interface IikoDeliveryOrderUpdateOptions {
  /** The order id, `eventInfo.id` (iiko's is a UUID). Default `"9e3b7c1a-5f42-4d8e-b6a0-2c71f9d4e805"`. */
  readonly orderId?: string;
  /** The guest's phone, `eventInfo.order.phone`; `null` for none. Default `"+79161234567"`. */
  readonly phone?: string | null;
  /**
   * The order status: `Unconfirmed`, `WaitCooking`, `CookingStarted`, `CookingCompleted`,
   * `Waiting`, `OnWay`, `Delivered`, `Closed` or `Cancelled`. Default `"Closed"`.
   */
  readonly status?: string;
  /** The organization (the branch), `organizationId`. Default `"7bc05553-4b68-44e8-b7bc-37be63c6d9e9"`. */
  readonly organizationId?: string;
  /**
   * `eventInfo.creationStatus`: `"Success"`, or `"InProgress"` / `"Error"` (then `order` is
   * `null`, as iiko sends it). Default `"Success"`.
   */
  readonly creationStatus?: "Success" | "InProgress" | "Error";
  /** `order.isDeleted`. Default `false`. */
  readonly isDeleted?: boolean;
  /** The guest's first name, `order.customer.name`. Default `"Анна"`. */
  readonly customerName?: string;
  /** The human-readable order number, `order.number`. Default `1042`. */
  readonly number?: number;
  /** When it happened (`eventTime`, UTC). Default 2026-03-14 18:40:02 UTC. */
  readonly at?: Date;
}

/** Options of {@link yclientsRecord}. */
export interface YclientsRecordOptions {
  /** The record id (`resource_id`, `data.id`). Default `596792980`. */
  readonly recordId?: number;
  /** The branch (`company_id`). Default `307626`. */
  readonly companyId?: number;
  /**
   * `data.attendance` (and `visit_attendance`): 1 came, 0 waiting, 2 confirmed, −1 did not come.
   * Default `1`.
   */
  readonly attendance?: number;
  /** The webhook's `status`: `"create"`, `"update"` or `"delete"`. Default `"update"`. */
  readonly status?: "create" | "update" | "delete";
  /** The client's phone, `data.client.phone`; `null` for a record without a client. Default `"+79161234567"`. */
  readonly phone?: string | null;
  /** The client's name. Default `"Анна"`. */
  readonly clientName?: string;
  /** The client's email. Default `""` (YCLIENTS sends an empty string). */
  readonly email?: string;
  /** `data.deleted`. Default `false`. */
  readonly deleted?: boolean;
  /** The visit's time (`data.date`, the branch's local time). Default `"2026-03-14 12:10:00"`. */
  readonly date?: string;
}

/** Options of {@link rkeeperOrder}. */
export interface RkeeperOrderOptions {
  /** The order number, `orderId` (a numeric string). Default `"59707"`. */
  readonly orderId?: string;
  /** The order's UUID, `id`. Default `"be55fa40-20b4-4364-a1cd-1831d19a0ef9"`. */
  readonly id?: string;
  /**
   * The status id, `orderStatusId`: 1 new, 4 passed to the kitchen, 10 on the way, 11 done
   * (Выполнен), 12 cancelled, 13 delivered (Доставлен)… Default `11`.
   */
  readonly statusId?: number;
  /** The status name, `orderStatusName`. Default: the standard name of `statusId`. */
  readonly statusName?: string;
  /** The guest's phone, `guest.phone` (r_k writes it without `+`); `null` for none. Default `"79161234567"`. */
  readonly phone?: string | null;
  /** The guest's first name. Default `"Анна"`. */
  readonly guestName?: string;
  /** The restaurant (the branch), `restaurantId`. Default `"36277f09-1d62-420f-ae22-af8ce0994d6a"`. */
  readonly restaurantId?: string;
}

/** Options of {@link amocrmLeadStatus}. */
export interface AmocrmLeadStatusOptions {
  /** The lead (deal) id. Default `25399013`. */
  readonly leadId?: number;
  /** The new status: 142 won ("Успешно реализовано"), 143 lost, or a pipeline stage id. Default `142`. */
  readonly statusId?: number;
  /** The status before. Default `7039101`. */
  readonly oldStatusId?: number;
  /** The pipeline. Default `3104455`. */
  readonly pipelineId?: number;
  /** The lead's name. Default `"Сделка #<leadId>"`. */
  readonly name?: string;
  /** The account subdomain (`account[subdomain]`, `<subdomain>.amocrm.ru`). Default `"example"`. */
  readonly subdomain?: string;
  /** The account id (`account[id]`, `account_id`). Default `7039099`. */
  readonly accountId?: number;
  /** When it changed (`last_modified`, `updated_at`). Default 2026-03-14 18:40:02 UTC. */
  readonly at?: Date;
}

const DEFAULT_AT = new Date(Date.UTC(2026, 2, 14, 18, 40, 2, 517));

/** iiko's `eventTime`: UTC `yyyy-MM-dd HH:mm:ss.fff`. */
function iikoTime(at: Date): string {
  return at.toISOString().replace("T", " ").replace("Z", "");
}

/**
 * An iiko Cloud API `DeliveryOrderUpdate` webhook: a JSON array of one event, `{ eventType,
 * eventTime, organizationId, correlationId, eventInfo: { id, organizationId, creationStatus,
 * order: { phone, status, customer, … } } }`. The default (status `Closed`, with a phone) sends.
 *
 * @example
 * iikoDeliveryOrderUpdate({ orderId: "order-1", status: "OnWay" }) // not final: skipped
 */
export function iikoDeliveryOrderUpdate(options: IikoDeliveryOrderUpdateOptions = {}): string {
  const organizationId = options.organizationId ?? "7bc05553-4b68-44e8-b7bc-37be63c6d9e9";
  const creationStatus = options.creationStatus ?? "Success";
  const at = options.at ?? DEFAULT_AT;
  const order =
    creationStatus === "Success"
      ? {
          parentDeliveryId: null,
          customer: {
            type: "regular",
            id: "e1a2b3c4-d5e6-4f70-8192-a3b4c5d6e7f8",
            name: options.customerName ?? "Анна",
            surname: null,
            comment: null,
            gender: "NotSpecified",
            inBlacklist: false,
            blacklistReason: null,
            birthdate: null,
          },
          phone: options.phone === undefined ? "+79161234567" : options.phone,
          phoneExtension: null,
          status: options.status ?? "Closed",
          cancelInfo: null,
          courierInfo: null,
          whenCreated: iikoTime(new Date(at.getTime() - 3_600_000)),
          whenClosed: (options.status ?? "Closed") === "Closed" ? iikoTime(at) : null,
          isDeleted: options.isDeleted ?? false,
          sum: 1870.0,
          number: options.number ?? 1042,
          orderType: {
            id: "76067ea3-356f-eb93-9d14-1fa00d082c4e",
            name: "Доставка курьером",
            orderServiceType: "DeliveryByCourier",
          },
        }
      : null;
  return JSON.stringify(
    [
      {
        eventType: "DeliveryOrderUpdate",
        eventTime: iikoTime(at),
        organizationId,
        correlationId: "48fb4cd3-2ef6-4479-bea1-7c92721b988c",
        eventInfo: {
          id: options.orderId ?? "9e3b7c1a-5f42-4d8e-b6a0-2c71f9d4e805",
          posId: null,
          externalNumber: null,
          organizationId,
          timestamp: at.getTime(),
          creationStatus,
          errorInfo: null,
          order,
        },
      },
    ],
    null,
    2,
  );
}

/**
 * A YCLIENTS (Altegio) record webhook: `{ company_id, resource: "record", resource_id, status,
 * data: { id, company_id, attendance, visit_attendance, deleted, client: { phone, … }, … } }`.
 * The default (an update with `attendance: 1`, the client came, with a phone) sends.
 *
 * @example
 * yclientsRecord({ recordId: 1, attendance: -1 }) // the client did not come: skipped
 */
export function yclientsRecord(options: YclientsRecordOptions = {}): string {
  const recordId = options.recordId ?? 596792980;
  const companyId = options.companyId ?? 307626;
  const attendance = options.attendance ?? 1;
  const client =
    options.phone === null
      ? null
      : {
          id: 86694283,
          name: options.clientName ?? "Анна",
          surname: "",
          patronymic: "",
          display_name: options.clientName ?? "Анна",
          phone: options.phone ?? "+79161234567",
          card: "",
          email: options.email ?? "",
          success_visits_count: 1,
          fail_visits_count: 0,
        };
  return JSON.stringify(
    {
      company_id: companyId,
      resource: "record",
      resource_id: recordId,
      status: options.status ?? "update",
      data: {
        id: recordId,
        company_id: companyId,
        staff_id: 2835418,
        services: [{ id: 6137968, title: "Стрижка", cost: 1500, amount: 1 }],
        clients_count: 1,
        date: options.date ?? "2026-03-14 12:10:00",
        online: false,
        visit_id: 508928360,
        visit_attendance: attendance,
        attendance,
        confirmed: 1,
        seance_length: 1500,
        length: 1500,
        deleted: options.deleted ?? false,
        client,
      },
    },
    null,
    2,
  );
}

/** r_k Delivery's standard status names by id. */
const RKEEPER_STATUS_NAMES: Readonly<Record<number, string>> = {
  1: "Новый",
  2: "Создан",
  3: "Принят в ресторане",
  4: "Передан на кухню",
  5: "Готовится",
  6: "Приготовлен",
  7: "Собирается",
  8: "Собран",
  9: "У курьера",
  10: "В пути",
  11: "Выполнен",
  12: "Отменен",
  13: "Доставлен",
};

/**
 * An R-Keeper (r_k Delivery) order push in the documented order model: `{ result: { orderId, id,
 * guest: { phone, firstName, … }, restaurantId, orderStatusId, orderStatusName, … } }`. The
 * default (status 11 Выполнен, with a phone) sends.
 *
 * @example
 * rkeeperOrder({ orderId: "1", statusId: 12 }) // cancelled: skipped
 */
export function rkeeperOrder(options: RkeeperOrderOptions = {}): string {
  const statusId = options.statusId ?? 11;
  return JSON.stringify(
    {
      result: {
        orderId: options.orderId ?? "59707",
        id: options.id ?? "be55fa40-20b4-4364-a1cd-1831d19a0ef9",
        orderExternalId: null,
        comment: "",
        guest: {
          email: null,
          phone: options.phone === undefined ? "79161234567" : options.phone,
          firstName: options.guestName ?? "Анна",
          lastName: "",
          callToGuest: true,
          comment: "",
        },
        corporationId: "ce939b6c-611d-47a1-90a6-5054c8492733",
        restaurantId: options.restaurantId ?? "36277f09-1d62-420f-ae22-af8ce0994d6a",
        restaurantName: "Ресторан 1",
        orderStatusId: statusId,
        orderStatusName:
          options.statusName ?? RKEEPER_STATUS_NAMES[statusId] ?? `Статус ${statusId}`,
        totalPrice: 1870,
      },
    },
    null,
    2,
  );
}

/**
 * An amoCRM "deal status changed" webhook, form-encoded as amoCRM posts it:
 * `leads[status][0][id]=…&leads[status][0][status_id]=142&…&account[subdomain]=…`. The default (a
 * won deal, 142) sends once the lead's phone is looked up: amoCRM's status webhooks carry no
 * contact (give the requester an `amocrm` lookup, or a fake with `createFakeAmocrm`).
 *
 * @example
 * amocrmLeadStatus({ leadId: 1, statusId: 143 }) // lost: skipped
 */
export function amocrmLeadStatus(options: AmocrmLeadStatusOptions = {}): string {
  const leadId = options.leadId ?? 25399013;
  const accountId = options.accountId ?? 7039099;
  const subdomain = options.subdomain ?? "example";
  const at = Math.floor((options.at ?? DEFAULT_AT).getTime() / 1000);
  const lead: [string, string | number][] = [
    ["id", leadId],
    ["name", options.name ?? `Сделка #${leadId}`],
    ["status_id", options.statusId ?? 142],
    ["old_status_id", options.oldStatusId ?? 7039101],
    ["price", 0],
    ["responsible_user_id", 504141],
    ["last_modified", at],
    ["modified_user_id", 504141],
    ["created_user_id", 504141],
    ["date_create", at - 86_400],
    ["pipeline_id", options.pipelineId ?? 3104455],
    ["account_id", accountId],
    ["created_at", at - 86_400],
    ["updated_at", at],
  ];
  const form = new URLSearchParams();
  for (const [field, value] of lead) form.append(`leads[status][0][${field}]`, String(value));
  form.append("account[subdomain]", subdomain);
  form.append("account[id]", String(accountId));
  form.append("account[_links][self]", `https://${subdomain}.amocrm.ru`);
  return form.toString();
}
