import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Put,
  Req,
} from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  AddressIdParamsSchema,
  AddressInputSchema,
  AddressListSchema,
  AddressSchema,
  type Address,
  type AddressList,
} from '@storefront/contracts';
import type { FastifyRequest } from 'fastify';
import { requestPrincipal } from '../../core/http/principal';
import { RequirePermissions } from '../../core/http/public.decorator';
import { zodDto } from '../../core/validation/zod-dto';
import {
  ApiBodyFrom,
  ApiErrorResponses,
  ApiJsonResponse,
} from '../../openapi/api-contract.decorators';
import { CustomerAddressesService } from './customer-addresses.service';

class AddressInputDto extends zodDto(AddressInputSchema) {}
class AddressIdParamsDto extends zodDto(AddressIdParamsSchema) {}

/** The caller's address book. Another account's address id is a 404. */
@ApiTags('account')
@Controller('account/addresses')
@RequirePermissions('account:own')
export class CustomerAddressesController {
  constructor(
    @Inject(CustomerAddressesService) private readonly addresses: CustomerAddressesService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Your saved addresses.' })
  @ApiJsonResponse(200, AddressListSchema, 'The address book.')
  @ApiErrorResponses(401, 403)
  list(@Req() request: FastifyRequest): Promise<AddressList> {
    return this.addresses.list(requestPrincipal(request));
  }

  @Post()
  @ApiOperation({ summary: 'Save an address.' })
  @ApiBodyFrom(AddressInputSchema)
  @ApiJsonResponse(201, AddressSchema, 'The saved address.')
  @ApiErrorResponses(400, 401, 403, 409)
  create(@Req() request: FastifyRequest, @Body() body: AddressInputDto): Promise<Address> {
    return this.addresses.create(requestPrincipal(request), body);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One of your addresses.' })
  @ApiJsonResponse(200, AddressSchema, 'The address.')
  @ApiErrorResponses(400, 401, 403, 404)
  get(@Req() request: FastifyRequest, @Param() params: AddressIdParamsDto): Promise<Address> {
    return this.addresses.get(requestPrincipal(request), params.id);
  }

  @Put(':id')
  @ApiOperation({ summary: 'Replace one of your addresses.' })
  @ApiBodyFrom(AddressInputSchema)
  @ApiJsonResponse(200, AddressSchema, 'The updated address.')
  @ApiErrorResponses(400, 401, 403, 404)
  update(
    @Req() request: FastifyRequest,
    @Param() params: AddressIdParamsDto,
    @Body() body: AddressInputDto,
  ): Promise<Address> {
    return this.addresses.update(requestPrincipal(request), params.id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete one of your addresses.' })
  @ApiErrorResponses(400, 401, 403, 404)
  async remove(@Req() request: FastifyRequest, @Param() params: AddressIdParamsDto): Promise<void> {
    await this.addresses.remove(requestPrincipal(request), params.id);
  }
}
